// Mapping files for admins: what runs and what is on disk, an upload form, an upload's golden cases and dry run side by side, activation and rollback.
import type { DryRunCase, DryRunSide, MappingListing, StagedMapping } from '../../mapping/mapping-admin.js';
import { html, type Html } from '../html.js';
import { csrfField, page, when, type PageContext } from '../console-page.js';

function side(ctx: PageContext, s: DryRunSide): Html {
  if ('document' in s) return html`<pre class="payload">${s.document}</pre>`;
  return 'problem' in s ? html`<p class="error">${s.problem}</p>` : html`<p class="hint">${ctx.t(s.skipped === 'does not apply' ? 'mappings.notApplies' : 'mappings.noActive')}</p>`;
}

/** The list of mappings and the upload form. */
export function mappingsPage(ctx: PageContext, items: readonly MappingListing[]): string {
  const { t } = ctx;
  const rows = items.map(
    (m) => html`<tr data-mapping="${m.id}"><td>${m.id}</td><td>${m.path}</td><td>v${m.running.version} <small>${m.running.sha256.slice(0, 16)}…</small></td>
<td>${m.fileSha256 === m.running.sha256 ? t('mappings.fileSame') : html`<strong class="error">${t('mappings.fileDiffers')}</strong>`}</td>
<td>${m.lastActivation ? `${m.lastActivation.kind} v${m.lastActivation.version} · ${m.lastActivation.by} · ${when(m.lastActivation.at)}` : ''}</td>
<td><form method="post" action="/ui/mappings/${encodeURIComponent(m.id)}/rollback" class="inline" data-confirm="${t('mappings.confirmRollback')}">${csrfField(ctx)}<button type="submit">${t('mappings.rollback')}</button></form></td></tr>`,
  );
  const body = html`<table><thead><tr><th>${t('col.id')}</th><th>${t('mappings.file')}</th><th>${t('mappings.running')}</th><th>${t('mappings.onDisk')}</th><th>${t('mappings.lastActivation')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<h3>${t('mappings.upload')}</h3>
<form method="post" action="/ui/mappings/upload" class="upload">${csrfField(ctx)}
<label>${t('mappings.path')} <input name="path" required placeholder="partner/name.yaml"></label>
<label>${t('mappings.text')} <textarea name="yaml" rows="16" cols="100" required></textarea></label>
<button type="submit">${t('mappings.validate')}</button></form>`;
  return page(ctx, t('mappings.title'), body);
}

/** An upload: its golden cases, the dry run when made, and the forms to dry-run again and to activate. */
export function stagedPage(ctx: PageContext, staged: StagedMapping, dryRun: readonly DryRunCase[] | undefined): string {
  const { t } = ctx;
  const goldens = staged.goldens.map((g) => html`<li class="golden-${g.result}">${g.name}: ${t(`mappings.golden.${g.result}`)}${g.reason ? html` <small>${g.reason}</small>` : ''}</li>`);
  const cases = (dryRun ?? []).map(
    (c) => html`<tr class="${c.same ? 'same' : 'differs'}"><td>${c.recordId} v${c.recordVersion}<br><strong>${t(c.same ? 'mappings.same' : 'mappings.differs')}</strong></td><td>${side(ctx, c.active)}</td><td>${side(ctx, c.proposed)}</td></tr>`,
  );
  const body = html`<p>${staged.path} · ${staged.id} v${staged.version} ${staged.replaces ? t('mappings.replaces', { version: staged.replaces.version }) : t('mappings.new')} · sha256 ${staged.sha256}</p>
<h3>${t('mappings.goldens')}</h3>${goldens.length ? html`<ul>${goldens}</ul>` : html`<p class="hint">${t('mappings.noGoldens')}</p>`}
<form method="post" action="/ui/mappings/uploads/${staged.uploadId}/dry-run" class="inline">${csrfField(ctx)}<label>${t('mappings.records')} <input name="records" type="number" min="1" max="50" value="10"></label> <button type="submit">${t('mappings.dryRun')}</button></form>
${dryRun ? html`<h3>${t('mappings.dryRunResult', { count: dryRun.length, differing: dryRun.filter((c) => !c.same).length })}</h3><table class="dry-run"><thead><tr><th>${t('col.record')}</th><th>${t('mappings.activeVersion')}</th><th>${t('mappings.uploadedVersion')}</th></tr></thead><tbody>${cases}</tbody></table>` : ''}
<form method="post" action="/ui/mappings/uploads/${staged.uploadId}/activate" data-confirm="${t('mappings.confirmActivate')}">${csrfField(ctx)}<button type="submit" id="activate">${t('mappings.activate', { version: staged.version })}</button></form>`;
  return page(ctx, t('mappings.stagedTitle', { id: staged.id }), body);
}
