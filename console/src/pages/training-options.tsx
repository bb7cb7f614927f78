// A fine-tune's own options on the training page, as CreateProjectVersion's FineTuneOptions takes them:
// exact epochs, a time budget, how many blocks to train, a warm start from an earlier fine-tuned or fast
// version, and the device. Empty fields are left out, so the server's recipe applies. The fast path
// takes the epochs, budget and warm start, sent as FastOptions.
import type { VersionDescription } from '../versions.js';

export interface FineTuneForm {
  epochs: string;
  budgetMinutes: string;
  unfreeze: string;
  from: string;
  device: string;
}

/** The modes whose options CreateProjectVersion accepts, and the field it takes them in. */
export const OPTION_MODES: Readonly<Record<string, string>> = { 'fine-tune': 'FineTuneOptions', fast: 'FastOptions' };

/** What each mode takes of the form: the fast path trains no backbone blocks of the user's choosing and runs on the CPU. */
const FAST_ONLY: readonly (keyof FineTuneForm)[] = ['epochs', 'budgetMinutes', 'from'];

export const NO_OPTIONS: FineTuneForm = { epochs: '', budgetMinutes: '', unfreeze: '', from: '', device: 'auto' };

/** The form as FineTuneOptions: only what the user set. */
export function fineTuneOptions(form: FineTuneForm, mode = 'fine-tune'): Record<string, unknown> {
  if (mode === 'fast') form = { ...NO_OPTIONS, ...Object.fromEntries(FAST_ONLY.map((k) => [k, form[k]])) };
  const unfreeze = form.unfreeze.trim();
  return {
    ...(form.epochs.trim() ? { Epochs: Number(form.epochs) } : {}),
    ...(form.budgetMinutes.trim() ? { BudgetSeconds: Math.round(Number(form.budgetMinutes) * 60) } : {}),
    ...(unfreeze ? { Unfreeze: unfreeze === 'all' ? 'all' : Number(unfreeze) } : {}),
    ...(form.from ? { From: form.from } : {}),
    ...(form.device !== 'auto' ? { Device: form.device } : {}),
  };
}

export function FineTuneFields({ form, onChange, warmFrom, mode = 'fine-tune' }: { form: FineTuneForm; onChange: (next: FineTuneForm) => void; warmFrom: VersionDescription[]; mode?: string }) {
  const all = mode !== 'fast';
  const set = (key: keyof FineTuneForm) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => onChange({ ...form, [key]: e.currentTarget.value });
  return (
    <fieldset class="options">
      <legend>{all ? 'Fine-tune options' : 'Fast options'}</legend>
      <div class="row">
        <label>
          Epochs
          <input name="epochs" inputMode="numeric" pattern="\d*" placeholder="the recipe (fitted to the budget)" value={form.epochs} onInput={set('epochs')} />
        </label>
        <label>
          Budget (minutes)
          <input name="budget" inputMode="decimal" pattern="\d*\.?\d*" placeholder="24" value={form.budgetMinutes} onInput={set('budgetMinutes')} />
        </label>
        {all && (
          <label>
            Unfreeze
            <input name="unfreeze" pattern="all|\d+" placeholder="all, or the last N blocks" value={form.unfreeze} onInput={set('unfreeze')} />
          </label>
        )}
        <label>
          Warm start from
          <select name="from" value={form.from} onChange={set('from')}>
            <option value="">none: the pretrained backbone</option>
            {warmFrom.map((v) => (
              <option key={v.VersionName} value={v.ProjectVersionArn}>
                {v.VersionName} ({v.TrainingMode}, F1 {((v.EvaluationResult?.F1Score ?? 0) * 100).toFixed(1)}%)
              </option>
            ))}
          </select>
        </label>
        {all && (
          <label>
            Device
            <select name="device" value={form.device} onChange={set('device')}>
              <option value="auto">auto: CUDA, then Apple MPS, then CPU</option>
              <option value="cpu">cpu</option>
              <option value="cuda">cuda</option>
              <option value="mps">mps</option>
            </select>
          </label>
        )}
      </div>
      <p class="hint">
        Left empty, the server plans the recipe's epochs within the budget and says before training how long it expects. A warm start continues an earlier fine-tuned or fast
        version's weights: fewer epochs, new photos and labels welcome.
      </p>
    </fieldset>
  );
}
