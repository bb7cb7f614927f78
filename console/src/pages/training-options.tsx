// A mode's own options on the training page, built from ListTrainingModes (the server's table of modes):
// one field per option, typed by its JSON schema (a list of choices, on/off, a number, or text such as a
// budget of "30m"), with the option's help as its hint. From lists the versions a warm start may begin
// from. Empty fields are left out, so the server's recipe applies.
import type { VersionDescription } from '../versions.js';

/** A mode as ListTrainingModes describes it. */
export interface ModeDescription {
  Name: string;
  Summary: string;
  Default: boolean;
  Docs: string;
  OptionsField: string;
  Options: { Field: string; Help: string; Schema: JsonSchema }[];
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
}

/** The text typed or chosen in each field, by field name. */
export type OptionsForm = Readonly<Record<string, string>>;

/** Every type a schema admits (a union's members flattened). */
function typesOf(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ? schema.anyOf.flatMap(typesOf) : [schema];
}

/** The choices of a field that is a list of constants (an enum), else undefined. */
function choicesOf(schema: JsonSchema): string[] | undefined {
  const types = typesOf(schema);
  const values = types.flatMap((t) => t.enum ?? (t.const !== undefined ? [t.const] : []));
  return types.every((t) => t.enum || t.const !== undefined) ? values.map(String) : undefined;
}

/** A field's text as the value the API takes: a number where the schema takes one, on/off as a boolean. */
function valueOf(schema: JsonSchema, text: string): unknown {
  const types = typesOf(schema);
  if (types.some((t) => t.type === 'boolean')) return text === 'on';
  const numeric = types.some((t) => t.type === 'number' || t.type === 'integer');
  return numeric && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** The form as the mode's options object: only what the user set. */
export function optionsOf(mode: ModeDescription, form: OptionsForm): Record<string, unknown> {
  return Object.fromEntries(mode.Options.filter((o) => (form[o.Field] ?? '').trim() !== '').map((o) => [o.Field, valueOf(o.Schema, form[o.Field]!.trim())]));
}

/** "BudgetSeconds" -> "Budget seconds". */
const labelOf = (field: string): string => field.replace(/(?<=[a-z])([A-Z])/g, (c) => ` ${c.toLowerCase()}`);

export function ModeFields({ mode, form, onChange, warmFrom }: { mode: ModeDescription; form: OptionsForm; onChange: (next: OptionsForm) => void; warmFrom: VersionDescription[] }) {
  const set = (field: string) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => onChange({ ...form, [field]: e.currentTarget.value });
  return (
    <fieldset class="options">
      <legend>{mode.Name} options</legend>
      <div class="row">
        {mode.Options.map(({ Field, Help, Schema }) => {
          const choices = Field === 'From' ? undefined : typesOf(Schema).some((t) => t.type === 'boolean') ? ['on', 'off'] : choicesOf(Schema);
          return (
            <label key={Field} title={Help}>
              {Field === 'From' ? 'Warm start from' : labelOf(Field)}
              {Field === 'From' ? (
                <select name={Field} value={form[Field] ?? ''} onChange={set(Field)}>
                  <option value="">none: the pretrained backbone</option>
                  {warmFrom.map((v) => (
                    <option key={v.VersionName} value={v.ProjectVersionArn}>
                      {v.VersionName} ({v.TrainingMode}, F1 {((v.EvaluationResult?.F1Score ?? 0) * 100).toFixed(1)}%)
                    </option>
                  ))}
                </select>
              ) : choices ? (
                <select name={Field} value={form[Field] ?? ''} onChange={set(Field)}>
                  <option value="">the server's default</option>
                  {choices.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              ) : (
                <input name={Field} placeholder={Help.length > 48 ? `${Help.slice(0, 45)}…` : Help} value={form[Field] ?? ''} onInput={set(Field)} />
              )}
            </label>
          );
        })}
      </div>
      <p class="hint">
        Left empty, each option takes the server's default ({mode.Docs}). Hover a field for its help. A warm start continues an earlier version's weights: fewer epochs, new photos and labels welcome.
      </p>
    </fieldset>
  );
}
