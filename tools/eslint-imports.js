// @ts-check
import { dirname, relative, resolve } from 'node:path';

/**
 * ESLint rule `genkan/allowed-imports`: dependencies as allowlists. Every file belongs to the area of the
 * longest folder (or file) in `areas` that contains it; an import of our own code is allowed only into
 * the areas that its area names (or folders inside them), and an npm package only where `packages`
 * allows it. Test files (*.test.ts) may also import test support (test/).
 *
 * Options: { root, areas: { [area]: { may: string[], packages?: string[] } },
 *            packagesOnlyIn: { [package]: string[] } }
 */

/** @param {string} path @param {string} area */
const within = (path, area) => path === area || path.startsWith(`${area}/`);

/** @param {string} path @param {readonly string[]} keys */
function areaOf(path, keys) {
  let best;
  for (const key of keys)
    if (within(path, key) && (best === undefined || key.length > best.length)) best = key;
  return best;
}

/** @param {string} specifier */
function packageName(specifier) {
  if (specifier.startsWith('node:')) return 'node:';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** @type {import('eslint').Rule.RuleModule} */
const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'imports only from the areas and packages an area is allowed' },
    schema: [{ type: 'object', additionalProperties: true }],
  },
  create(context) {
    const options =
      /** @type {{ root: string; areas: Record<string, { may: string[]; packages?: string[] }>; packagesOnlyIn?: Record<string, string[]> }} */ (
        context.options[0]
      );
    const keys = Object.keys(options.areas);
    const file = relative(options.root, context.filename).split('\\').join('/');
    const area = areaOf(file, keys);
    if (area === undefined) return {};
    const rules = options.areas[area];
    if (rules === undefined) return {};
    const isTest = /\.test\.tsx?$/.test(file);

    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = relative(options.root, resolve(dirname(context.filename), source))
          .split('\\')
          .join('/');
        if (isTest && within(target, 'test')) return;
        const targetArea = areaOf(target, keys) ?? target;
        if (rules.may.some((allowed) => within(targetArea, allowed))) return;
        context.report({
          node,
          message: `${area}/ may import only ${rules.may.join(', ')} (not ${targetArea}/)`,
        });
        return;
      }
      const pkg = packageName(source);
      if (rules.packages !== undefined && !isTest && !rules.packages.includes(pkg)) {
        context.report({ node, message: `${area}/ may use only the packages ${rules.packages.join(', ')}` });
        return;
      }
      const only = options.packagesOnlyIn?.[pkg];
      if (only !== undefined && !isTest && !only.some((place) => within(file, place))) {
        context.report({
          node,
          message: `${pkg} belongs to the HTTP layer (${only.join(', ')}), not ${file}`,
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
    };
  },
};

export const genkanPlugin = { rules: { 'allowed-imports': allowedImports } };
