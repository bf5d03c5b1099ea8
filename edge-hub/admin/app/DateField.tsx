/** A labelled date (or month) input of a page's filter; clearing it keeps the last date chosen. */
export function DateField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'date' | 'month';
  testId?: string;
}) {
  return (
    <label>
      {props.label}{' '}
      <input
        type={props.type ?? 'date'}
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => {
          if (e.target.value !== '') props.onChange(e.target.value);
        }}
      />
    </label>
  );
}
