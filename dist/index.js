import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 828:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   C1: () => (/* binding */ setFailed),
/* harmony export */   LK: () => (/* binding */ preloadOidc),
/* harmony export */   LZ: () => (/* binding */ saveState),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   Pq: () => (/* binding */ setSecret),
/* harmony export */   V9: () => (/* binding */ getIDToken),
/* harmony export */   Yz: () => (/* binding */ debug),
/* harmony export */   _o: () => (/* binding */ isDebug),
/* harmony export */   lm: () => (/* binding */ notice),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   uH: () => (/* binding */ setOutput),
/* harmony export */   z: () => (/* reexport safe */ _node_modules_actions_core_lib_summary_js__WEBPACK_IMPORTED_MODULE_3__.z),
/* harmony export */   z3: () => (/* binding */ error)
/* harmony export */ });
/* unused harmony exports getState, startGroup, endGroup */
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9635);
/* harmony import */ var _node_modules_actions_core_lib_file_command_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7063);
/* harmony import */ var _node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(4679);
/* harmony import */ var _node_modules_actions_core_lib_summary_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1170);
/**
 * The parts of @actions/core this action uses, loaded without @actions/core's entry point.
 *
 * Why: `@actions/core` statically imports its OIDC client, which pulls in @actions/http-client and
 * undici — about 70 ms of every cold start (measured with `npm run bench`), although only
 * getIDToken needs them. So the workflow-command and summary modules of @actions/core are imported
 * directly (the same code, same escaping and masking rules), and the full package is loaded only
 * when an OIDC token is requested. @actions/core is pinned exactly in package.json because of this.
 */





function setSecret(secret) {
    if (secret !== '')
        (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('add-mask', {}, secret);
}
function setOutput(name, value) {
    if (process.env.GITHUB_OUTPUT) {
        (0,_node_modules_actions_core_lib_file_command_js__WEBPACK_IMPORTED_MODULE_2__/* .issueFileCommand */ .n)('OUTPUT', (0,_node_modules_actions_core_lib_file_command_js__WEBPACK_IMPORTED_MODULE_2__/* .prepareKeyValueMessage */ .v)(name, value));
        return;
    }
    process.stdout.write(node_os__WEBPACK_IMPORTED_MODULE_0__.EOL);
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('set-output', { name }, (0,_node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__/* .toCommandValue */ .E)(value));
}
function saveState(name, value) {
    if (process.env.GITHUB_STATE) {
        (0,_node_modules_actions_core_lib_file_command_js__WEBPACK_IMPORTED_MODULE_2__/* .issueFileCommand */ .n)('STATE', (0,_node_modules_actions_core_lib_file_command_js__WEBPACK_IMPORTED_MODULE_2__/* .prepareKeyValueMessage */ .v)(name, value));
        return;
    }
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('save-state', { name }, (0,_node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__/* .toCommandValue */ .E)(value));
}
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}
function isDebug() {
    return process.env.RUNNER_DEBUG === '1';
}
function debug(message) {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('debug', {}, message);
}
function error(message, properties = {}) {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('error', (0,_node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__/* .toCommandProperties */ .k)(properties), message instanceof Error ? message.toString() : message);
}
function warning(message, properties = {}) {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('warning', (0,_node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__/* .toCommandProperties */ .k)(properties), message instanceof Error ? message.toString() : message);
}
function notice(message, properties = {}) {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issueCommand */ .L)('notice', (0,_node_modules_actions_core_lib_utils_js__WEBPACK_IMPORTED_MODULE_4__/* .toCommandProperties */ .k)(properties), message instanceof Error ? message.toString() : message);
}
function info(message) {
    process.stdout.write(message + node_os__WEBPACK_IMPORTED_MODULE_0__.EOL);
}
function startGroup(name) {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issue */ .s)('group', name);
}
function endGroup() {
    (0,_node_modules_actions_core_lib_command_js__WEBPACK_IMPORTED_MODULE_1__/* .issue */ .s)('endgroup');
}
async function group(name, fn) {
    startGroup(name);
    try {
        return await fn();
    }
    finally {
        endGroup();
    }
}
/** A GitHub OIDC token (masked by @actions/core before it returns). Loads the full package lazily. */
async function getIDToken(audience) {
    const core = await loadCore();
    return core.getIDToken(audience);
}
/** Starts loading what getIDToken needs, so it overlaps with other start-up work. */
function preloadOidc() {
    loadCore().catch(() => undefined);
}
let full;
/** The full package, loaded once (one import() site: one chunk in dist/). */
function loadCore() {
    full ??= Promise.all(/* import() */[__nccwpck_require__.e(119), __nccwpck_require__.e(216)]).then(__nccwpck_require__.bind(__nccwpck_require__, 8216));
    return full;
}


/***/ }),

/***/ 172:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Eg: () => (/* binding */ compareFindings),
/* harmony export */   MT: () => (/* binding */ verdictLine),
/* harmony export */   Tx: () => (/* binding */ gateSection),
/* harmony export */   hk: () => (/* binding */ annotations),
/* harmony export */   tj: () => (/* binding */ unavailableLine),
/* harmony export */   vn: () => (/* binding */ reportChunks),
/* harmony export */   wo: () => (/* binding */ countOutputs)
/* harmony export */ });
/* unused harmony export reportJson */
/* harmony import */ var _report_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(665);
/* harmony import */ var _severity_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1012);
/* harmony import */ var _sarif_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9270);
/**
 * What a reviewer reads: the job summary (verdict first), the `::error` annotations, the outputs
 * and the full report JSON. Pure builders; the writes happen in index.ts.
 */



const SEV_LABEL = {
    CRITICAL: 'Critical',
    HIGH: 'High',
    MEDIUM: 'Medium',
    LOW: 'Low',
    INFORMATIONAL: 'Informational',
    UNDEFINED: 'Undefined',
};
/** Severity first, then score (highest first), then ID. */
function compareFindings(a, b) {
    return ((0,_severity_js__WEBPACK_IMPORTED_MODULE_0__/* .severityRank */ .qs)(b.severity) - (0,_severity_js__WEBPACK_IMPORTED_MODULE_0__/* .severityRank */ .qs)(a.severity) ||
        (b.score ?? -1) - (a.score ?? -1) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
        (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}
function thresholdText(t) {
    return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`;
}
function countList(v) {
    return _severity_js__WEBPACK_IMPORTED_MODULE_0__/* .SEVERITIES */ .oC.filter((s) => v.counts[s] > 0)
        .map((s) => `${v.counts[s]} ${s}`)
        .join(', ');
}
/** The one-line verdict (summary order 0 and the log). */
function verdictLine(v, facts) {
    const t = facts.policy.threshold;
    if (v.failed) {
        const blocking = _severity_js__WEBPACK_IMPORTED_MODULE_0__/* .SEVERITIES */ .oC.filter((s) => v.counts[s] > 0 && (0,_severity_js__WEBPACK_IMPORTED_MODULE_0__/* .severityRank */ .qs)(s) >= (0,_severity_js__WEBPACK_IMPORTED_MODULE_0__/* .severityRank */ .qs)(t))
            .map((s) => `${v.counts[s]} ${s}`)
            .join(', ');
        return `❌ Scan gate failed: ${v.blocking} finding${v.blocking === 1 ? '' : 's'} ${thresholdText(t)} (${blocking}) in ${facts.imageRef}`;
    }
    const what = v.total === 0
        ? 'no counted findings'
        : `${v.total} finding${v.total === 1 ? '' : 's'} (${countList(v)}), none ${thresholdText(t)}`;
    return `✅ Scan gate passed: ${t === 'NONE' ? `${v.total} counted finding${v.total === 1 ? '' : 's'}, report only` : what}${v.ignored > 0 ? `; ${v.ignored} ignored` : ''}`;
}
function unavailableLine(status, message, failed) {
    return `${failed ? '❌ Scan gate failed' : '⚠️ Scan gate could not decide'}: no trustworthy findings (${status}). ${message}`;
}
const MAX_ROWS = 100;
const MAX_IGNORED_ROWS = 100;
function scoreText(f) {
    return f.score !== undefined ? f.score.toFixed(1) : '';
}
function idLink(f) {
    const url = (0,_sarif_js__WEBPACK_IMPORTED_MODULE_1__/* .vulnUrl */ .zu)(f);
    return url ? `[${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.id)}](${url.replace(/\)/g, '%29')})` : (0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.id);
}
function findingRow(f, multi) {
    const fix = f.fixedIn ? ` → ${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.fixedIn)}` : '';
    const cells = [
        idLink(f),
        (0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.package || '–'),
        `${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.version || '–')}${fix}`,
        f.severity +
            (f.rawSeverity && f.rawSeverity.toUpperCase() !== f.severity ? ` (${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.rawSeverity)})` : ''),
        scoreText(f),
        f.fixAvailable || '–',
        f.exploitAvailable || '–',
    ];
    if (multi)
        cells.push((0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(f.platform));
    return `| ${cells.join(' | ')} |`;
}
function entryText(e) {
    return `${e.id}${e.package ? ` package=${e.package}` : ''}${e.until ? ` until=${e.until}` : ''}`;
}
/** Top-N by severity then score without sorting everything (50,000 findings). */
function topN(items, n, keep) {
    const picked = [];
    for (const e of items) {
        if (!keep(e))
            continue;
        picked.push(e.finding);
        if (picked.length > n * 4) {
            picked.sort(compareFindings);
            picked.length = n;
        }
    }
    picked.sort(compareFindings);
    return picked.slice(0, n);
}
/** The gate's summary section (order 20), kept well under the 1 MiB summary limit. */
function gateSection(v, facts, limitBytes = 400_000) {
    const multi = facts.platforms.length > 1 || facts.platforms.some((p) => p.platform !== '');
    const out = ['### Scan gate', ''];
    out.push('| | |', '|---|---|');
    out.push(`| Verdict | ${v.failed ? '❌ failed' : '✅ passed'} (threshold ${facts.policy.threshold}${facts.policy.onlyFixable ? ', only fixable' : ''}) |`);
    out.push(`| Scan | ${facts.scanType}, status ${facts.scanStatus} (waited ${facts.elapsedSeconds} s) |`);
    out.push(`| Image | \`${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(facts.imageRef)}\` |`);
    if (multi) {
        for (const p of facts.platforms) {
            out.push(`| Platform ${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(p.platform || 'image')} | \`${p.digest}\`: ${p.status}, ${p.findings} finding${p.findings === 1 ? '' : 's'} |`);
        }
    }
    out.push('');
    out.push('| Severity | Counted | Ignored |', '|---|---:|---:|');
    for (const s of _severity_js__WEBPACK_IMPORTED_MODULE_0__/* .SEVERITIES */ .oC)
        out.push(`| ${SEV_LABEL[s]} | ${v.counts[s]} | ${v.ignoredCounts[s]} |`);
    out.push(`| **Total** | **${v.total}** | **${v.ignored}** |`);
    const notFixable = v.results.reduce((n, r) => n + (r.disposition === 'not-fixable' ? 1 : 0), 0);
    const inactive = v.results.reduce((n, r) => n + (r.disposition === 'inactive' ? 1 : 0), 0);
    const notes = [];
    if (notFixable > 0)
        notes.push(`${notFixable} without a fix not counted (only-fixable)`);
    if (inactive > 0)
        notes.push(`${inactive} suppressed or closed in Inspector not counted`);
    if (v.fixUnknown > 0)
        notes.push(`${v.fixUnknown} basic-scan findings counted although only-fixable is on: basic scanning does not say whether a fix exists`);
    if (notes.length > 0)
        out.push('', `_${notes.join('; ')}._`);
    const top = topN(v.results, MAX_ROWS, (e) => e.disposition === 'counted');
    if (top.length > 0) {
        out.push('', `#### Top findings${v.total > top.length ? ` (${top.length} of ${v.total}; the report file and the SARIF hold all)` : ''}`, '');
        const head = ['ID', 'Package', 'Installed → fixed', 'Severity', 'Score', 'Fix', 'Exploit'];
        if (multi)
            head.push('Platform');
        out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
        for (const f of top)
            out.push(findingRow(f, multi));
    }
    const entries = facts.policy.ignore;
    if (entries.length > 0) {
        out.push('', '#### Ignore entries', '', '| Entry | Reason | Expires | Matched |', '|---|---|---|---:|');
        entries.slice(0, MAX_IGNORED_ROWS).forEach((e, i) => {
            const expired = e.until !== undefined && e.until < facts.today;
            out.push(`| \`${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(entryText(e))}\` | ${(0,_report_js__WEBPACK_IMPORTED_MODULE_2__/* .cell */ .H)(e.reason) || '–'} | ${e.until ? `${e.until}${expired ? ' **expired: no longer ignores**' : ''}` : 'never'} | ${v.matches[i] ?? 0} |`);
        });
        if (entries.length > MAX_IGNORED_ROWS)
            out.push('', `_…and ${entries.length - MAX_IGNORED_ROWS} more entries._`);
    }
    let text = out.join('\n');
    if (Buffer.byteLength(text) > limitBytes) {
        const note = '\n\n> Section truncated to fit the job summary; the report file holds every finding.';
        text = text.slice(0, limitBytes - note.length);
        text = text.slice(0, text.lastIndexOf('\n')) + note;
    }
    return text;
}
/** `::error` annotations: one per blocking finding, capped, and one for the rest. */
function annotations(v, imageRef, cap = 10) {
    if (!v.failed)
        return [];
    const top = topN(v.results, cap, (e) => e.blocking);
    const lines = top.map((f) => {
        const pkg = f.package ? ` in ${f.package} ${f.version}`.trimEnd() : '';
        const fix = f.fixedIn ? ` (fixed in ${f.fixedIn})` : f.fixAvailable === 'NO' ? ' (no fix yet)' : '';
        const where = f.platform ? ` [${f.platform}]` : '';
        return `${f.severity} ${f.id}${pkg}${fix}${where}: ${imageRef}`;
    });
    if (v.blocking > top.length)
        lines.push(`…and ${v.blocking - top.length} more blocking findings (see the job summary and the report file)`);
    return lines;
}
/** The outputs from `findings-critical` to `highest-severity` for a verdict. */
function countOutputs(v) {
    const out = {};
    for (const s of _severity_js__WEBPACK_IMPORTED_MODULE_0__/* .SEVERITIES */ .oC)
        out[`findings-${s.toLowerCase()}`] = String(v.counts[s]);
    out['findings-total'] = String(v.total);
    out['findings-ignored'] = String(v.ignored);
    out.findings = JSON.stringify(v.counts);
    out['highest-severity'] = v.highest;
    return out;
}
/** The report file: every finding with what became of it. */
function reportJson(v, facts, gate, message) {
    return [...reportChunks(v, facts, gate, message)].join('');
}
/** The report file in chunks (a finding each), for writing without holding it whole. */
function* reportChunks(v, facts, gate, message) {
    const policy = facts.policy;
    const head = {
        version: 1,
        image: facts.imageRef,
        digest: facts.digest,
        scanType: facts.scanType,
        scanStatus: facts.scanStatus,
        gate,
        message,
        platforms: facts.platforms,
        policy: {
            severityThreshold: policy.threshold,
            onlyFixable: policy.onlyFixable,
            ignore: policy.ignore.map((e, i) => ({
                ...e,
                expired: e.until !== undefined && e.until < facts.today,
                matched: v?.matches[i] ?? 0,
            })),
        },
        counts: v?.counts ?? null,
        ignoredCounts: v?.ignoredCounts ?? null,
        total: v?.total ?? null,
        ignored: v?.ignored ?? null,
        highestSeverity: v?.highest ?? null,
    };
    // Built as text, a finding a line: 50,000 findings without one giant intermediate object.
    yield JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "findings": [');
    const rows = v?.results ?? [];
    for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const f = r.finding;
        const row = {
            id: f.id,
            severity: f.severity,
            rawSeverity: f.rawSeverity,
            package: f.package,
            version: f.version,
            fixedIn: f.fixedIn,
            score: f.score ?? null,
            fixAvailable: f.fixAvailable,
            exploitAvailable: f.exploitAvailable,
            status: f.status,
            source: f.source,
            platform: f.platform,
            imageDigest: f.imageDigest,
            url: (0,_sarif_js__WEBPACK_IMPORTED_MODULE_1__/* .vulnUrl */ .zu)(f),
            disposition: r.disposition,
            counted: r.disposition === 'counted',
            blocking: r.blocking,
            key: f.key,
        };
        if (r.ignoredBy !== undefined) {
            const e = policy.ignore[r.ignoredBy];
            row.ignoredBy = e
                ? { id: e.id, source: e.source, reason: e.reason, until: e.until ?? null, package: e.package ?? null }
                : null;
        }
        yield `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(row)}`;
    }
    yield rows.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}


/***/ }),

/***/ 9270:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   gP: () => (/* binding */ sarifChunks),
/* harmony export */   zu: () => (/* binding */ vulnUrl)
/* harmony export */ });
/* unused harmony exports securitySeverity, buildSarif */
/** Code scanning's bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const BANDS = {
    CRITICAL: [9.0, 10.0, 9.5],
    HIGH: [7.0, 8.9, 8.0],
    MEDIUM: [4.0, 6.9, 5.5],
    LOW: [0.1, 3.9, 2.0],
    INFORMATIONAL: [0.0, 0.0, 0.0],
    UNDEFINED: [0.0, 0.0, 0.0],
};
/** The CVSS score when it agrees with the gate's severity, else the middle of that severity's band. */
function securitySeverity(severity, score) {
    const [lo, hi, mid] = BANDS[severity];
    const s = score !== undefined && score >= lo && score <= hi + 0.05 ? score : mid;
    return s.toFixed(1);
}
function level(s) {
    if (s === 'CRITICAL' || s === 'HIGH')
        return 'error';
    if (s === 'MEDIUM')
        return 'warning';
    return 'note';
}
function vulnUrl(f) {
    if (f.url)
        return f.url;
    if (/^CVE-\d+-\d+$/i.test(f.id))
        return `https://nvd.nist.gov/vuln/detail/${f.id.toUpperCase()}`;
    if (/^GHSA-/i.test(f.id))
        return `https://github.com/advisories/${f.id}`;
    return '';
}
const ruleId = (id) => id.replace(/\s+/g, '_');
function ruleJson(f) {
    const url = vulnUrl(f);
    const about = (f.description || f.title || f.id).slice(0, 600);
    const rule = {
        id: ruleId(f.id),
        name: ruleId(f.id),
        shortDescription: { text: `${f.id} (${f.severity})` },
        fullDescription: { text: about },
        help: { text: `${about}${url ? ` More: ${url}` : ''}` },
        defaultConfiguration: { level: level(f.severity) },
        properties: {
            'security-severity': securitySeverity(f.severity, f.score),
            tags: ['security', 'vulnerability', 'container', f.severity.toLowerCase()],
        },
    };
    if (url)
        rule.helpUri = url;
    return JSON.stringify(rule);
}
/**
 * The SARIF document as JSON text. Built piece by piece (a result a line) so that 50,000 findings do
 * not need one giant object tree next to the text.
 */
function buildSarif(verdict, ctx) {
    return [...sarifChunks(verdict, ctx)].join('');
}
/** The SARIF text in chunks (a rule or a result each), for writing without holding it whole. */
function* sarifChunks(verdict, ctx) {
    const rules = new Map();
    const ruleFindings = [];
    // One result per vulnerability and package; platforms of a multi-platform image are merged.
    const results = new Map();
    const platformsOf = new Map();
    for (const r of verdict.results) {
        if (r.disposition !== 'counted')
            continue;
        const f = r.finding;
        if (!rules.has(f.id)) {
            rules.set(f.id, ruleFindings.length);
            ruleFindings.push(f);
        }
        const key = `${f.id}\u0000${f.package}\u0000${f.version}`;
        if (!results.has(key))
            results.set(key, f);
        if (f.platform) {
            const list = platformsOf.get(key);
            if (!list)
                platformsOf.set(key, [f.platform]);
            else if (!list.includes(f.platform))
                list.push(f.platform);
        }
    }
    const artifact = JSON.stringify({ uri: ctx.artifactUri });
    const driver = {
        name: 'ecr-supply-chain',
        informationUri: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html',
        version: ctx.toolVersion,
    };
    yield `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver).slice(0, -1)},"rules":[\n`;
    for (let i = 0; i < ruleFindings.length; i++)
        yield (i === 0 ? '' : ',\n') + ruleJson(ruleFindings[i]);
    const category = JSON.stringify({ id: `ecr-scan/${ctx.imageRef.replace(/@.*$/, '')}/` });
    // The image is the one logical location every result points at (by index 0).
    const logical = JSON.stringify([{ name: ctx.imageRef, fullyQualifiedName: ctx.imageRef, kind: 'module' }]);
    yield `\n]}},"automationDetails":${category},"logicalLocations":${logical},"results":[\n`;
    let first = true;
    for (const [key, f] of results) {
        const platforms = platformsOf.get(key);
        const where = platforms ? ` (${platforms.sort().join(', ')})` : '';
        const pkg = f.package ? `${f.package} ${f.version}`.trim() : 'the image';
        const fix = f.fixedIn ? `; fixed in ${f.fixedIn}` : '';
        const q = JSON.stringify;
        const props = `{"package":${q(f.package)},"installedVersion":${q(f.version)},"fixedVersion":${q(f.fixedIn)},"severity":"${f.severity}"` +
            (f.score !== undefined ? `,"score":${f.score}` : '') +
            (f.fixAvailable ? `,"fixAvailable":${q(f.fixAvailable)}` : '') +
            (f.exploitAvailable ? `,"exploitAvailable":${q(f.exploitAvailable)}` : '') +
            '}';
        yield ((first ? '' : ',\n') +
            `{"ruleId":${JSON.stringify(ruleId(f.id))},"ruleIndex":${rules.get(f.id) ?? 0},"level":"${level(f.severity)}",` +
            `"message":${JSON.stringify({ text: `${f.id} (${f.severity}) in ${pkg}${fix}${where}` })},` +
            `"locations":[{"physicalLocation":{"artifactLocation":${artifact},"region":{"startLine":1}},` +
            `"logicalLocations":[{"index":0}]}],` +
            `"partialFingerprints":${JSON.stringify({ 'ecrFinding/v1': `${f.id}:${f.package}:${f.version}` })},` +
            `"properties":${props}}`);
        first = false;
    }
    yield '\n]}]}\n';
}


/***/ }),

/***/ 1099:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Fs: () => (/* binding */ digestWithoutFindings),
/* harmony export */   V6: () => (/* binding */ digestOfVerdict)
/* harmony export */ });
/* unused harmony export MAX_BLOCKING_LISTED */
/* harmony import */ var _gate_reports_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(172);
/* harmony import */ var _gate_sarif_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9270);


/** More than this many blocking rows help nobody in a comment: the job summary and the report hold all. */
const MAX_BLOCKING_LISTED = 50;
/** The digest of a decided gate. */
function digestOfVerdict(v, threshold) {
    // The most severe few without sorting every finding (a gate may see 50,000).
    const blocking = [];
    for (const r of v.results) {
        if (!r.blocking)
            continue;
        blocking.push(r.finding);
        if (blocking.length > MAX_BLOCKING_LISTED * 4) {
            blocking.sort(_gate_reports_js__WEBPACK_IMPORTED_MODULE_0__/* .compareFindings */ .Eg);
            blocking.length = MAX_BLOCKING_LISTED;
        }
    }
    blocking.sort(_gate_reports_js__WEBPACK_IMPORTED_MODULE_0__/* .compareFindings */ .Eg);
    return {
        gate: v.failed ? 'failed' : 'passed',
        threshold,
        counts: { ...v.counts },
        ignored: v.ignored,
        blocking: blocking.slice(0, MAX_BLOCKING_LISTED).map((f) => ({
            id: f.id,
            severity: f.severity,
            package: f.package,
            version: f.version,
            fixedIn: f.fixedIn,
            url: (0,_gate_sarif_js__WEBPACK_IMPORTED_MODULE_1__/* .vulnUrl */ .zu)(f),
            platform: f.platform,
        })),
        blockingTotal: v.blocking,
    };
}
/** The digest of a gate that decided nothing: skipped, unavailable, or failed without findings. */
function digestWithoutFindings(gate, threshold, reason = '') {
    return { gate, threshold, blocking: [], blockingTotal: 0, ...(reason ? { reason } : {}) };
}


/***/ }),

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7267);

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 7267:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./src/core.ts
var src_core = __nccwpck_require__(828);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/errors.ts
/** Text of any thrown value, without stack noise. */
function errorMessage(err) {
    if (err instanceof Error)
        return err.message;
    if (typeof err === 'string')
        return err;
    try {
        return JSON.stringify(err);
    }
    catch {
        return String(err);
    }
}
/** Name of an error as the AWS SDK surfaces it (`AccessDenied`, `ThrottlingException`, …). */
function errorName(err) {
    if (err && typeof err === 'object') {
        const e = err;
        for (const v of [e.name, e.Code, e.code])
            if (typeof v === 'string' && v !== 'Error')
                return v;
    }
    return '';
}
/** HTTP status of an AWS SDK error, when the service answered at all. */
function httpStatus(err) {
    const meta = err?.$metadata;
    return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}
/**
 * An error meant for the user: one line that says what is wrong and what to do. main() prints it
 * as is; anything else is prefixed with the phase it happened in.
 */
class ActionError extends Error {
    name = 'ActionError';
}
/** Bad inputs, all of them: each line names the input and the expected form. */
class InputError extends ActionError {
    problems;
    constructor(problems) {
        super(problems.join('\n'));
        this.problems = problems;
        this.name = 'InputError';
    }
}
/** Prefix an error with context, keeping user-facing errors as they are. */
function withContext(context, err) {
    if (err instanceof ActionError)
        return err;
    return new Error(`${context}: ${errorMessage(err)}`, { cause: err });
}

;// CONCATENATED MODULE: ./src/audit/image.ts
/**
 * What an image is made of, from its configuration and history: layers with the instruction that
 * made each, a recovered Dockerfile, the runtime configuration, supply-chain labels. Pure: no I/O.
 */
/** Splits `/bin/sh -c #(nop)  ENV A=b` and friends into a Dockerfile instruction. */
function instructionOf(createdBy) {
    let text = createdBy.trim();
    text = text.replace(/\s+# buildkit$/, '');
    const buildArgs = [];
    let run = false;
    if (/^RUN\s/.test(text)) {
        run = true;
        text = text.slice(4).trim();
    }
    // Build args of a RUN: `|2 A=1 B=2 /bin/sh -c …`.
    const args = /^\|(\d+)\s+/.exec(text);
    if (args) {
        let rest = text.slice(args[0].length);
        for (let i = 0; i < Number(args[1]); i++) {
            const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest);
            if (!pair)
                break;
            buildArgs.push([pair[1], pair[2]]);
            rest = rest.slice(pair[0].length);
        }
        text = rest;
        run = true;
    }
    const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
    if (nop)
        return { instruction: text.slice(nop[0].length).trim(), buildArgs };
    const sh = /^\/bin\/sh -c\s+/.exec(text);
    if (sh)
        return { instruction: `RUN ${text.slice(sh[0].length).trim()}`, buildArgs };
    if (run)
        return { instruction: `RUN ${text}`, buildArgs };
    if (/^[A-Z]+(\s|$)/.test(text) && INSTRUCTIONS.has(text.split(/\s/)[0])) {
        return { instruction: text, buildArgs };
    }
    return { instruction: text === '' ? '# (no command recorded)' : `RUN ${text}`, buildArgs };
}
const INSTRUCTIONS = new Set([
    'ADD',
    'ARG',
    'CMD',
    'COPY',
    'ENTRYPOINT',
    'ENV',
    'EXPOSE',
    'FROM',
    'HEALTHCHECK',
    'LABEL',
    'MAINTAINER',
    'ONBUILD',
    'RUN',
    'SHELL',
    'STOPSIGNAL',
    'USER',
    'VOLUME',
    'WORKDIR',
]);
const LAYER_MAKING = /^(RUN|COPY|ADD|WORKDIR)\b/;
/**
 * Which history entries made a layer when only `docker history` is at hand (no `empty_layer`): sizes
 * above zero did; when that is fewer than the layer count, zero-sized RUN/COPY/ADD/WORKDIR entries are
 * taken too, oldest first.
 */
function inferEmptyLayers(entries, layerCount) {
    const empty = entries.map((e) => e.size <= 0);
    let missing = layerCount - empty.filter((e) => !e).length;
    for (const pass of [true, false]) {
        for (let i = 0; i < entries.length && missing > 0; i++) {
            const e = entries[i];
            if (!empty[i])
                continue;
            if (pass && !LAYER_MAKING.test(instructionOf(e.createdBy).instruction))
                continue;
            empty[i] = false;
            missing--;
        }
    }
    return empty;
}
/** Layers in order, each tied to the history entry that made it; the biggest marked. */
function layersOf(history, manifestLayers, diffIds) {
    const count = manifestLayers?.length ?? diffIds.length;
    const makers = history.flatMap((h, i) => (h.emptyLayer ? [] : [i]));
    // When the history has fewer layer entries than layers (squashed images), the last ones match.
    const offset = makers.length - count;
    const layers = [];
    for (let i = 0; i < count; i++) {
        const layer = { index: i + 1, big: false };
        const m = manifestLayers?.[i];
        if (m) {
            layer.size = m.size;
            layer.digest = m.digest;
        }
        const d = diffIds[i];
        if (d !== undefined)
            layer.diffId = d;
        const h = makers[i + offset];
        if (h !== undefined) {
            layer.historyIndex = h;
            layer.instruction = instructionOf(history[h]?.createdBy ?? '').instruction;
        }
        layers.push(layer);
    }
    markBiggest(layers);
    return layers;
}
/** The three biggest layers that hold at least a tenth of the image. */
function markBiggest(layers) {
    const total = layers.reduce((s, l) => s + (l.size ?? 0), 0);
    if (total === 0)
        return;
    const sorted = [...layers].filter((l) => (l.size ?? 0) > 0).sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
    for (const l of sorted.slice(0, layers.length > 3 ? 3 : 1))
        if ((l.size ?? 0) >= total / 10)
            l.big = true;
}
/** A Dockerfile recovered from the history; every entry says which layer it made, if any. */
function recoverDockerfile(history, layers) {
    const lines = ['# Recovered from the image history, oldest first. The FROM line is not recorded:'];
    lines.push('# the first entries may come from the base image.');
    const byHistory = new Map(layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l]])));
    history.forEach((h, i) => {
        const { instruction, buildArgs } = instructionOf(h.createdBy);
        const layer = byHistory.get(i);
        if (layer) {
            lines.push(`# layer ${layer.index}${layer.size !== undefined ? `, ${formatBytes(layer.size)}` : ''}`);
        }
        else {
            lines.push('# (empty layer: metadata only)');
        }
        for (const [name] of buildArgs)
            lines.push(`ARG ${name}`);
        lines.push(instruction);
    });
    return `${lines.join('\n')}\n`;
}
/** Env names whose values are shown: clearly harmless configuration. */
function isHarmlessEnv(name) {
    return (/^(PATH|LANG|LANGUAGE|TZ|HOME|SHELL|TERM|HOSTNAME|DEBIAN_FRONTEND|NODE_ENV|RAILS_ENV|RACK_ENV|FLASK_ENV|APP_ENV|GOPATH|GOROOT|GOTOOLCHAIN|CGO_ENABLED|GOFLAGS|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|PYTHONPATH|PIP_NO_CACHE_DIR|PIP_DISABLE_PIP_VERSION_CHECK|JAVA_OPTS|NVIDIA_VISIBLE_DEVICES|SSL_CERT_FILE|SSL_CERT_DIR)$/.test(name) ||
        /^LC_[A-Z]+$/.test(name) ||
        /_(VERSION|HOME|ROOT|DIR|SHA256|SHA512|CHECKSUM)$/.test(name));
}
function isRootUser(user) {
    const u = (user ?? '').trim();
    const name = u.split(':')[0] ?? '';
    return name === '' || name === 'root' || name === '0';
}
const OCI_LABELS = [
    'org.opencontainers.image.source',
    'org.opencontainers.image.revision',
    'org.opencontainers.image.created',
];
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n;
    let u = -1;
    while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
    }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
/** Splits `NAME=value` env entries. */
function splitEnv(env) {
    return (env ?? []).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/audit/secrets.ts
/**
 * Credentials left in an image's metadata: history commands, build args, env values, labels.
 * Pure: no I/O. The caller hands in `onFound`, which masks each value the moment it is found.
 *
 * Two kinds of rules:
 * - shape rules (AWS key IDs, AWS secret keys next to their name, private key blocks, GitHub
 *   tokens): a string in a credential's exact shape is reported even when it reads like an example
 *   (AWS's documented AKIAIOSFODNN7EXAMPLE is reported): a scanner cannot tell a pasted example from
 *   a real key, and either one in an image means credentials were handled in the build.
 * - assignment rules (`*_TOKEN=`, `*_SECRET=`, `*PASSWORD*=`, `*_KEY=`, URL user:password@): only
 *   values that are not placeholders, variable references, booleans, paths or short (< 8 chars).
 */

const AWS_KEY_ID = /(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])/g;
const AWS_SECRET = /aws[_.-]?secret[_.-]?access[_.-]?key["']?\s*(?:=|:|\s)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
const PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g;
const GITHUB_TOKEN = /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]+)@[^\s/'"]/gi;
/** NAME=value, NAME: value, NAME value (flags like --password value are covered by NAME). */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:[ \t]|[ \t](?=["']))[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>]+)/g;
/** --password value, --token=value. */
const FLAG = /(?<![A-Za-z0-9_-])--([A-Za-z][A-Za-z0-9-]*)(?:=|[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>-][^\s"';&|)<>]*)/g;
/** Does a variable / label / flag name announce a credential? */
function isSecretName(name) {
    const n = name
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '');
    if (/(^|_)(GPG|PGP|PUBLIC|PUB|SSH_HOST)_KEY$/.test(n) || /KEYRING|KEYSERVER|KEY_?ID$/.test(n))
        return false;
    if (/PASSWORD|PASSWD/.test(n))
        return true;
    if (n === 'SECRET_KEY_BASE')
        return true;
    return /(^|_)(TOKEN|SECRET|KEY|APIKEY|ACCESSKEY|SECRETKEY)$/.test(n) && n !== 'KEY';
}
const PLACEHOLDER_WORDS = new Set([
    'changeme',
    'change_me',
    'change-me',
    'changeit',
    'password',
    'passwd',
    'secret',
    'token',
    'example',
    'dummy',
    'test',
    'testing',
    'placeholder',
    'redacted',
    'fake',
    'sample',
    'default',
    'none',
    'null',
    'nil',
    'undefined',
    'unset',
    'notset',
    'empty',
    'todo',
    'tbd',
    'true',
    'false',
    'yes',
    'no',
    'on',
    'off',
]);
function unquote(value) {
    const v = value.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0])
        return v.slice(1, -1);
    return v;
}
/** Values that are clearly not a credential: references, placeholders, booleans, paths, short. */
function isPlaceholder(raw) {
    const v = unquote(raw);
    if (v.length < 8)
        return true;
    if (/\$[{(A-Za-z_]/.test(v) || v.startsWith('$'))
        return true; // $TOKEN, ${SECRET}, $(cat …)
    if (/^<[^>]*>$|^\{\{.*\}\}$|^%[^%]+%$|^\[[^\]]*\]$/.test(v))
        return true; // <your-token>, {{ x }}
    const lower = v.toLowerCase();
    if (PLACEHOLDER_WORDS.has(lower))
        return true;
    if (/^(?:your|my|some|insert|enter|replace)[-_ ]/.test(lower))
        return true;
    if (/x{3,}|\*{3,}|\.{3}|changeme|change[-_]me|placeholder|dummy|example|redacted|not[-_]?a[-_]?secret/.test(lower)) {
        return true;
    }
    if (/^(.)\1*$/.test(v) || new Set(v).size < 4)
        return true; // aaaaaaaa, 12121212
    if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(v))
        return true; // a path to a secret, not the secret
    if (/^https?:\/\/[^@\s]*$/.test(v))
        return true; // a URL without credentials
    if (/^\d+$/.test(v) && v.length < 12)
        return true; // a port, a count
    return false;
}
/** Shape values that are too regular to be real (a row of x's in the AWS secret key's place). */
function lowEntropy(v) {
    return new Set(v).size < 6;
}
/** Every credential in one piece of text. `onFound` runs for each, before anything else sees it. */
function scanText(text, where, onFound = () => { }) {
    const hits = [];
    const taken = [];
    const add = (hit, start, end) => {
        if (taken.some(([s, e]) => start < e && end > s))
            return;
        taken.push([start, end]);
        onFound(hit);
        hits.push(hit);
    };
    for (const m of text.matchAll(PRIVATE_KEY)) {
        add({ rule: 'private-key', value: m[0].trimEnd(), where }, m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(AWS_KEY_ID)) {
        const v = m[1];
        if (!lowEntropy(v.slice(4)))
            add({ rule: 'aws-access-key-id', value: v, where }, m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(AWS_SECRET)) {
        const v = m[1];
        const start = m.index + m[0].length - v.length;
        if (!lowEntropy(v))
            add({ rule: 'aws-secret-access-key', value: v, where }, start, start + v.length);
    }
    for (const m of text.matchAll(GITHUB_TOKEN)) {
        const v = m[1];
        if (!lowEntropy(v.slice(v.indexOf('_') + 1))) {
            add({ rule: 'github-token', value: v, where }, m.index, m.index + v.length);
        }
    }
    for (const m of text.matchAll(URL_PASSWORD)) {
        const v = m[1];
        const start = m.index + m[0].indexOf(`:${v}@`) + 1;
        if (!isPlaceholder(v))
            add({ rule: 'url-password', value: v, where }, start, start + v.length);
    }
    for (const m of [...text.matchAll(ASSIGNMENT), ...text.matchAll(FLAG)]) {
        const name = m[1];
        const raw = m[2];
        if (!isSecretName(name) || isPlaceholder(raw))
            continue;
        const value = unquote(raw);
        const start = m.index + m[0].length - raw.length + (raw.length - value.length) / 2;
        add({ rule: 'assignment', value, where, name }, Math.floor(start), Math.floor(start) + value.length);
    }
    return hits;
}
/** A `NAME=value` pair taken apart already (env, label, build arg): the name is known. */
function scanPair(name, value, where, onFound = () => { }) {
    const hits = scanText(value, where, onFound);
    if (hits.length === 0 && isSecretName(name) && !isPlaceholder(value)) {
        const hit = { rule: 'assignment', value: unquote(value), where, name };
        onFound(hit);
        hits.push(hit);
    }
    return hits;
}
/** The lines of a value to hand to `core.setSecret` (the runner masks line by line). */
function maskParts(value) {
    const lines = value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 4 && !/^-----(BEGIN|END) /.test(l));
    return [...new Set(value.includes('\n') ? lines : [value])];
}
function fingerprint(value) {
    return (0,external_node_crypto_.createHash)('sha256').update(value).digest('hex').slice(0, 8);
}
/** `AKIA…(20 chars)`: the first characters only where they are a public prefix. */
function redact(hit) {
    const n = hit.value.length;
    switch (hit.rule) {
        case 'aws-access-key-id':
            return `${hit.value.slice(0, 4)}…(${n} chars)`;
        case 'github-token':
            return `${hit.value.startsWith('github_pat_') ? 'github_pat_' : hit.value.slice(0, 4)}…(${n} chars)`;
        case 'private-key': {
            const kind = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)/.exec(hit.value)?.[1] ?? 'PRIVATE KEY';
            return `-----BEGIN ${kind}-----…(${n} chars)`;
        }
        default:
            return `…(${n} chars)`;
    }
}
/** Distinct secrets (by value), each with every place it was seen. */
function summarize(hits) {
    const byValue = new Map();
    for (const hit of hits) {
        let s = byValue.get(hit.value);
        if (!s) {
            s = { rule: hit.rule, redacted: redact(hit), fingerprint: fingerprint(hit.value), where: [] };
            if (hit.name !== undefined)
                s.name = hit.name;
            byValue.set(hit.value, s);
        }
        if (!s.where.includes(hit.where))
            s.where.push(hit.where);
    }
    return [...byValue.values()];
}
/** Replaces every found value in a text with its redacted form (longest first). */
function redactText(text, hits) {
    let out = text;
    const sorted = [...new Map(hits.map((h) => [h.value, h])).values()].sort((a, b) => b.value.length - a.value.length);
    for (const hit of sorted) {
        if (hit.value === '')
            continue;
        out = out.split(hit.value).join(`[secret ${redact(hit)} sha256:${fingerprint(hit.value)}]`);
        // A private key block may be shown line by line; redact its body lines too.
        for (const part of hit.value.includes('\n') ? maskParts(hit.value) : [])
            out = out.split(part).join('[redacted]');
    }
    return out;
}

;// CONCATENATED MODULE: ./src/audit/analyze.ts
/**
 * The audit's verdict on one image, from facts gathered elsewhere. Pure: no I/O; `mask` is called for
 * each credential the moment it is found, before anything is logged or written.
 */


function analyze(facts, mask = () => { }) {
    const hits = [];
    const onFound = (hit) => {
        for (const part of maskParts(hit.value))
            mask(part);
        hits.push(hit);
    };
    const cfg = facts.config;
    // 1. Secrets first, so every text below is redacted before it goes anywhere.
    facts.history.forEach((h, i) => {
        const { instruction, buildArgs } = instructionOf(h.createdBy);
        const verb = instruction.split(/\s/)[0] ?? '';
        scanText(h.createdBy, `history #${i + 1} (${verb})`, onFound);
        for (const [name, value] of buildArgs)
            scanPair(name, value, `build arg ${name} (history #${i + 1})`, onFound);
        if (h.comment)
            scanText(h.comment, `history #${i + 1} comment`, onFound);
    });
    const env = splitEnv(cfg.Env);
    const envSecret = new Set();
    for (const [name, value] of env) {
        if (scanPair(name, value, `env ${name}`, onFound).length > 0)
            envSecret.add(name);
    }
    for (const [key, value] of Object.entries(cfg.Labels ?? {}))
        scanPair(key, value, `label ${key}`, onFound);
    if (cfg.Entrypoint)
        scanText(cfg.Entrypoint.join(' '), 'entrypoint', onFound);
    if (cfg.Cmd)
        scanText(cfg.Cmd.join(' '), 'cmd', onFound);
    const clean = (text) => redactText(text, hits);
    // 2. What is in it.
    const layers = layersOf(facts.history, facts.manifest?.layers, facts.diffIds).map((l) => l.instruction === undefined ? l : { ...l, instruction: clean(l.instruction) });
    const layerOfHistory = new Map(layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l.index]])));
    const history = facts.history.map((h, i) => {
        const entry = {
            ...h,
            createdBy: clean(h.createdBy),
            instruction: clean(instructionOf(h.createdBy).instruction),
        };
        if (h.comment !== undefined)
            entry.comment = clean(h.comment);
        const layer = layerOfHistory.get(i);
        if (layer !== undefined)
            entry.layer = layer;
        return entry;
    });
    const dockerfile = clean(recoverDockerfile(facts.history, layers));
    const user = cfg.User ?? '';
    const labels = {};
    for (const [k, v] of Object.entries(cfg.Labels ?? {}))
        labels[k] = clean(v);
    const ociLabels = {};
    for (const name of OCI_LABELS) {
        const value = labels[name];
        ociLabels[name] = value !== undefined && value !== '' ? { present: true, value } : { present: false };
    }
    const envEntries = env.map(([name, value]) => isHarmlessEnv(name) && !envSecret.has(name)
        ? { name, value: clean(value), masked: false }
        : { name, masked: true });
    // 3. Warnings, most serious first.
    const secrets = summarize(hits);
    const warnings = [];
    for (const s of secrets) {
        warnings.push(`Credential left in the image (${s.rule}${s.name ? ` ${s.name}` : ''}, ${s.redacted}, sha256:${s.fingerprint}) in ${s.where.join(', ')}`);
    }
    const runsAsRoot = isRootUser(user);
    if (runsAsRoot) {
        warnings.push(`The image runs as root (user '${user === '' ? '(not set)' : clean(user)}'): set a non-root USER in the Dockerfile.`);
    }
    const missing = OCI_LABELS.filter((l) => !ociLabels[l]?.present);
    if (missing.length > 0) {
        warnings.push(`Missing OCI labels ${missing.join(', ')}: without them nobody can trace the image back to its source and commit.`);
    }
    warnings.push(...facts.notes);
    const size = facts.manifest !== undefined
        ? facts.manifest.layers.reduce((s, l) => s + l.size, facts.manifest.configSize)
        : facts.registrySize;
    const image = {
        digest: facts.digest,
        imageRef: facts.imageRef,
        imageId: facts.imageId,
        layerCount: layers.length,
    };
    if (facts.os || facts.architecture)
        image.platform = `${facts.os ?? '?'}/${facts.architecture ?? '?'}`;
    if (facts.created)
        image.created = facts.created;
    if (facts.manifest)
        image.manifestMediaType = facts.manifest.mediaType;
    if (size !== undefined)
        image.size = size;
    return {
        version: 1,
        image,
        layers,
        history,
        dockerfile,
        config: {
            user: clean(user),
            runsAsRoot,
            entrypoint: cfg.Entrypoint ? cfg.Entrypoint.map(clean) : null,
            cmd: cfg.Cmd ? cfg.Cmd.map(clean) : null,
            exposedPorts: Object.keys(cfg.ExposedPorts ?? {}).sort(),
            workingDir: cfg.WorkingDir ?? '',
            volumes: Object.keys(cfg.Volumes ?? {}).sort(),
            labels,
            env: envEntries,
            ociLabels,
        },
        secrets,
        warnings,
    };
}
/** The one-line failure (or warning) about secrets: says the image is already pushed and how to delete it. */
function secretsMessage(result, where, failing) {
    const n = result.secrets.length;
    const kinds = [...new Set(result.secrets.map((s) => s.rule))].join(', ');
    return (`The audit found ${n} credential${n === 1 ? '' : 's'} (${kinds}) in the image's history, env or labels. ` +
        `The image is ALREADY PUSHED as ${result.image.imageRef}: anyone who can pull it can read them. ` +
        `Rotate the credential${n === 1 ? '' : 's'} now, delete the image ` +
        `(aws ecr batch-delete-image --repository-name ${where.repository} --image-ids imageDigest=${result.image.digest} ` +
        `--registry-id ${where.registryId} --region ${where.region}), and rebuild with build secrets ` +
        `(RUN --mount=type=secret) instead of ARG/ENV.` +
        (failing ? '' : ' (fail-on-secrets is false: not failing the step.)'));
}


// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
;// CONCATENATED MODULE: ./src/sdk.ts
let ecr;
let sts;
function ecrSdk() {
    ecr ??= Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
    return ecr;
}
function stsSdk() {
    sts ??= Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(695)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1695, 19));
    return sts;
}
/** Starts loading both SDKs, to overlap with work that waits on a child process. */
function preloadSdks() {
    ecrSdk().catch(() => undefined);
    stsSdk().catch(() => undefined);
}

;// CONCATENATED MODULE: ./src/audit/engine.ts
/**
 * Reading the image: its configuration and history from the local engine, compressed layer sizes
 * from the registry's manifest, the whole image from `docker save` (only for the filesystem export).
 * Thin I/O: every decision is in image.ts / analyze.ts.
 */




/** `docker image inspect` + `docker history`: fast, nothing copied. */
async function readLocalImage(docker, imageId) {
    const [inspect, hist] = await Promise.all([
        docker.exec(['image', 'inspect', imageId], { silent: true }),
        docker.exec(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', imageId], {
            silent: true,
        }),
    ]);
    if (inspect.code !== 0)
        throw new ActionError(`docker image inspect ${imageId} failed: ${inspect.stderr.trim()}`);
    if (hist.code !== 0)
        throw new ActionError(`docker history ${imageId} failed: ${hist.stderr.trim()}`);
    const info = JSON.parse(inspect.stdout)[0] ?? {};
    const diffIds = info.RootFS?.Layers ?? [];
    const lines = hist.stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l))
        .reverse(); // docker history lists newest first
    const sized = lines.map((l) => ({ createdBy: l.CreatedBy ?? '', size: Number(l.Size ?? 0) || 0 }));
    const empty = inferEmptyLayers(sized, diffIds.length);
    const history = lines.map((l, i) => {
        const h = {
            createdBy: l.CreatedBy ?? '',
            emptyLayer: empty[i] ?? true,
            size: sized[i]?.size ?? 0,
        };
        if (l.CreatedAt)
            h.created = l.CreatedAt;
        if (l.Comment)
            h.comment = l.Comment;
        return h;
    });
    const out = { config: info.Config ?? {}, diffIds, history };
    if (info.Os)
        out.os = info.Os;
    if (info.Architecture)
        out.architecture = info.Architecture;
    if (info.Variant)
        out.variant = info.Variant;
    if (info.Created)
        out.created = info.Created;
    return out;
}
/** History from an image config JSON (exact empty_layer flags), as `docker save` holds it. */
function historyFromConfig(config) {
    const h = config?.history;
    if (!Array.isArray(h))
        return undefined;
    return h.map((e) => {
        const entry = {
            createdBy: typeof e.created_by === 'string' ? e.created_by : '',
            emptyLayer: e.empty_layer === true,
        };
        if (typeof e.created === 'string')
            entry.created = e.created;
        if (typeof e.comment === 'string' && e.comment !== '')
            entry.comment = e.comment;
        return entry;
    });
}
const MANIFEST_TYPES = [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.index.v1+json',
];
/** The pushed manifest (for an index: the platform manifest of the local image's platform). */
async function registryManifest(ecr, where, digest, platform) {
    const { BatchGetImageCommand } = await ecrSdk();
    const get = async (d) => {
        const out = await ecr.send(new BatchGetImageCommand({
            registryId: where.registryId,
            repositoryName: where.repository,
            imageIds: [{ imageDigest: d }],
            acceptedMediaTypes: MANIFEST_TYPES,
        }));
        const image = out.images?.[0];
        if (!image?.imageManifest) {
            const f = out.failures?.[0];
            throw new Error(`BatchGetImage ${d}: ${f?.failureCode ?? 'no manifest'} ${f?.failureReason ?? ''}`.trim());
        }
        const json = JSON.parse(image.imageManifest);
        return { json, mediaType: image.imageManifestMediaType ?? json.mediaType ?? '' };
    };
    let m = await get(digest);
    let d = digest;
    if (Array.isArray(m.json.manifests)) {
        const children = m.json.manifests;
        const pick = children.find((c) => c.platform?.os === platform.os &&
            c.platform?.architecture === platform.architecture &&
            (platform.variant === undefined || c.platform?.variant === platform.variant)) ?? children.find((c) => c.platform?.os !== 'unknown');
        if (!pick?.digest)
            throw new Error(`the image index ${digest} has no manifest for ${platform.os}/${platform.architecture}`);
        d = pick.digest;
        m = await get(d);
    }
    return {
        mediaType: m.mediaType,
        digest: d,
        layers: (m.json.layers ?? []).map((l) => {
            const layer = { digest: l.digest ?? '', size: l.size ?? 0 };
            if (l.mediaType)
                layer.mediaType = l.mediaType;
            return layer;
        }),
        configSize: m.json.config?.size ?? 0,
    };
}
/** ECR's own size of the image (DescribeImages imageSizeInBytes). */
async function registrySize(ecr, where, digest) {
    const { DescribeImagesCommand } = await ecrSdk();
    const out = await ecr.send(new DescribeImagesCommand({
        registryId: where.registryId,
        repositoryName: where.repository,
        imageIds: [{ imageDigest: digest }],
    }));
    return out.imageDetails?.[0]?.imageSizeInBytes;
}
/** `docker save <id>` as a stream; `done` settles when docker exits (rejects on failure). */
function saveImage(docker, imageId) {
    const child = (0,external_node_child_process_.spawn)('docker', ['save', imageId], { env: docker.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const err = [];
    child.stderr.on('data', (b) => {
        if (err.length < 64)
            err.push(b);
    });
    const done = new Promise((resolve, reject) => {
        child.once('error', (e) => reject(new ActionError(`docker save ${imageId} could not start: ${e.message}`)));
        child.once('close', (code, signal) => {
            if (code === 0)
                resolve();
            else {
                const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
                reject(new ActionError(`docker save ${imageId} failed (${signal ?? `exit ${code}`}): ${why}`));
            }
        });
    });
    return { stream: child.stdout, done };
}

// EXTERNAL MODULE: ./src/report.ts
var src_report = __nccwpck_require__(665);
;// CONCATENATED MODULE: ./src/audit/summary.ts
/** The audit's job-summary section. Pure: everything it prints is already redacted. */


const code = (s) => `\`${(0,src_report/* cell */.H)(s).replace(/`/g, "'")}\``;
function auditMarkdown(r, exported, auditFile) {
    const out = ['### Image audit', ''];
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown';
    out.push(`${r.image.layerCount} layer${r.image.layerCount === 1 ? '' : 's'}, ${size} compressed` +
        `${r.image.platform ? `, ${r.image.platform}` : ''}; ` +
        (r.secrets.length > 0 ? `**${r.secrets.length} credential(s) found**` : 'no credentials found') +
        '.');
    if (r.warnings.length > 0 || (exported?.refused.length ?? 0) > 0) {
        out.push('', '**Warnings**', '');
        for (const w of r.warnings)
            out.push(`- ${(0,src_report/* cell */.H)(w)}`);
        if (exported && exported.refused.length > 0) {
            out.push(`- Filesystem export refused ${exported.refusedCount} entr${exported.refusedCount === 1 ? 'y' : 'ies'}:`);
            for (const x of exported.refused.slice(0, 20))
                out.push(`  - layer ${x.layer}: ${code(x.path)}: ${(0,src_report/* cell */.H)(x.reason)}`);
        }
    }
    out.push('', '| # | Size | Made by |', '|---:|---:|---|');
    for (const l of r.layers) {
        const s = l.size !== undefined ? formatBytes(l.size) : '?';
        const instr = l.instruction !== undefined ? code(truncate(l.instruction, 160)) : '(no history entry)';
        out.push(`| ${l.index} | ${l.big ? `**${s}** 🔺` : s} | ${instr} |`);
    }
    if (r.layers.some((l) => l.big))
        out.push('', '🔺 the biggest layers (each at least a tenth of the image).');
    const c = r.config;
    out.push('', '| Configuration | |', '|---|---|');
    out.push(`| User | ${c.user === '' ? '(not set: root)' : code(c.user)}${c.runsAsRoot ? ' ⚠️ root' : ''} |`);
    if (c.entrypoint)
        out.push(`| Entrypoint | ${code(JSON.stringify(c.entrypoint))} |`);
    if (c.cmd)
        out.push(`| Cmd | ${code(JSON.stringify(c.cmd))} |`);
    if (c.workingDir)
        out.push(`| Working dir | ${code(c.workingDir)} |`);
    if (c.exposedPorts.length > 0)
        out.push(`| Exposed ports | ${c.exposedPorts.map(code).join(', ')} |`);
    if (c.volumes.length > 0)
        out.push(`| Volumes | ${c.volumes.map(code).join(', ')} |`);
    if (c.env.length > 0) {
        const env = c.env.map((e) => e.masked ? `${code(e.name)} (value hidden)` : `${code(`${e.name}=${e.value ?? ''}`)}`);
        out.push(`| Env | ${env.join('<br>')} |`);
    }
    for (const [name, v] of Object.entries(c.ociLabels)) {
        out.push(`| ${code(name)} | ${v.present ? code(v.value ?? '') : '⚠️ missing'} |`);
    }
    const other = Object.entries(c.labels).filter(([k]) => !(k in c.ociLabels));
    if (other.length > 0)
        out.push(`| Labels | ${other.map(([k, v]) => code(`${k}=${truncate(v, 100)}`)).join('<br>')} |`);
    if (exported) {
        out.push('', `Filesystem exported to ${code(exported.dir)}: ${exported.files} files, ${exported.dirs} directories, ` +
            `${exported.symlinks} symlinks, ${exported.hardlinks} hard links, ${formatBytes(exported.bytes)}; ` +
            `${exported.whiteouts} whiteouts applied.`);
    }
    out.push('', '<details><summary>Recovered Dockerfile</summary>', '', '```dockerfile', r.dockerfile.replace(/```/g, "'''").trimEnd(), '```', '', '</details>');
    if (auditFile)
        out.push('', `Full audit: ${code(auditFile)} (output \`audit-file\`).`);
    return out.join('\n');
}
function truncate(s, n) {
    return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

;// CONCATENATED MODULE: ./src/audit/index.ts
/**
 * The image audit: what the pushed image is made of and what it leaks, read without running it.
 * I/O at the edges only: engine.ts reads, export.ts extracts; analyze.ts and summary.ts decide.
 */









const AUDIT_FILE = 'ecr-audit.json';
async function prepareAudit(ctx) {
    const { inputs } = ctx;
    const plan = { enabled: inputs.audit };
    const dir = inputs.exportFilesystem;
    if (dir === undefined)
        return plan;
    const problems = [];
    if (!inputs.audit) {
        problems.push(`Invalid input 'export-filesystem': '${dir}'. Expected it only with 'audit: true' (the export is part of the audit).`);
    }
    const st = await promises_.stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) {
        problems.push(`Invalid input 'export-filesystem': '${dir}' is a file. Expected a new or empty directory.`);
    }
    else if (st && (await promises_.readdir(dir)).length > 0) {
        problems.push(`Invalid input 'export-filesystem': '${dir}' is not empty. Expected a new or empty directory (the image's files must not mix with others).`);
    }
    if (problems.length > 0)
        throw new InputError(problems);
    plan.exportDir = dir;
    return plan;
}
/** Reads the pushed image (never runs it): layers, history, configuration, secrets. */
async function runAudit(ctx, plan) {
    if (!plan.enabled)
        return {};
    const { pushed, inputs, env } = ctx;
    const where = { registryId: pushed.registryId, repository: inputs.repository, region: inputs.region };
    const masked = new Set();
    const mask = (v) => {
        if (masked.has(v))
            return;
        masked.add(v);
        src_core/* setSecret */.Pq(v);
    };
    const notes = [];
    let facts;
    try {
        const local = await readLocalImage(pushed.docker, pushed.imageId);
        const platform = {};
        if (local.os)
            platform.os = local.os;
        if (local.architecture)
            platform.architecture = local.architecture;
        if (local.variant)
            platform.variant = local.variant;
        let manifest;
        let size;
        try {
            manifest = await registryManifest(pushed.ecr, where, pushed.digest, platform);
        }
        catch (err) {
            notes.push(`Could not read the pushed manifest (ecr:BatchGetImage): ${errorMessage(err)}; compressed layer sizes are unknown.`);
            size = await registrySize(pushed.ecr, where, pushed.digest).catch(() => undefined);
        }
        facts = {
            imageId: pushed.imageId,
            digest: pushed.digest,
            imageRef: pushed.imageRef,
            config: local.config,
            history: local.history,
            diffIds: local.diffIds,
            notes,
        };
        if (local.os)
            facts.os = local.os;
        if (local.architecture)
            facts.architecture = local.architecture;
        if (local.created)
            facts.created = local.created;
        if (manifest)
            facts.manifest = manifest;
        if (size !== undefined)
            facts.registrySize = size;
    }
    catch (err) {
        return {
            failure: `The image audit could not read ${pushed.imageId}: ${errorMessage(err)}. ` +
                `The image IS pushed as ${pushed.imageRef}; set 'audit: false' to skip the audit.`,
        };
    }
    // Secrets are masked here, before any line of the audit is logged.
    let result = analyze(facts, mask);
    let exported;
    let exportFailure;
    if (plan.exportDir !== undefined) {
        try {
            exported = await src_core/* group */.Os(`Exporting the image's filesystem to ${plan.exportDir}`, async () => {
                // The tar reader loads only when an export is asked for (cold start).
                const { exportSavedImage } = await Promise.all(/* import() */[__nccwpck_require__.e(118), __nccwpck_require__.e(669)]).then(__nccwpck_require__.bind(__nccwpck_require__, 8669));
                const saved = saveImage(pushed.docker, pushed.imageId);
                const tmp = env.RUNNER_TEMP || external_node_os_.tmpdir();
                const [out] = await Promise.all([
                    exportSavedImage(saved.stream, plan.exportDir, tmp),
                    saved.done,
                ]);
                // The saved config has the exact empty_layer flags: a better layer-to-history match.
                const history = historyFromConfig(out.config);
                if (history !== undefined && history.length > 0)
                    result = analyze({ ...facts, history }, mask);
                for (const r of out.result.refused.slice(0, 50))
                    src_core/* warning */.$e(`Export refused layer ${r.layer} entry ${r.path}: ${r.reason}`);
                return out.result;
            });
        }
        catch (err) {
            exportFailure = `Could not export the image's filesystem to ${plan.exportDir}: ${errorMessage(err)}`;
        }
    }
    const file = external_node_path_.join(env.RUNNER_TEMP || env.GITHUB_WORKSPACE || process.cwd(), AUDIT_FILE);
    let auditFile;
    try {
        await promises_.writeFile(file, `${JSON.stringify(auditJson(result, exported), null, 2)}\n`);
        auditFile = file;
    }
    catch (err) {
        src_core/* warning */.$e(`Could not write the audit file ${file}: ${errorMessage(err)}`);
    }
    if (result.image.size !== undefined)
        src_core/* setOutput */.uH('image-size', String(result.image.size));
    src_core/* setOutput */.uH('layer-count', String(result.image.layerCount));
    src_core/* setOutput */.uH('secrets-found', String(result.secrets.length));
    if (auditFile)
        src_core/* setOutput */.uH('audit-file', auditFile);
    ctx.report.add(40, auditMarkdown(result, exported, auditFile));
    logResult(result, exported);
    const failures = [];
    if (result.secrets.length > 0) {
        const message = secretsMessage(result, where, inputs.failOnSecrets);
        if (inputs.failOnSecrets)
            failures.push(message);
        else
            src_core/* warning */.$e(message);
    }
    if (exportFailure)
        failures.push(exportFailure);
    return failures.length > 0 ? { failure: failures.join(' ') } : {};
}
function auditJson(result, exported) {
    return exported ? { ...result, export: exported } : result;
}
function logResult(r, exported) {
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown size';
    src_core/* info */.pq(`Audit: ${r.image.layerCount} layers, ${size}, user '${r.config.user || '(not set)'}', ${r.secrets.length} credential(s) found`);
    for (const w of r.warnings)
        src_core/* warning */.$e(w);
    if (exported) {
        src_core/* info */.pq(`Exported ${exported.files} files, ${exported.dirs} directories, ${exported.symlinks} symlinks, ${exported.hardlinks} hard links ` +
            `(${formatBytes(exported.bytes)}) to ${exported.dir}; ${exported.refusedCount} entries refused.`);
    }
}

// EXTERNAL MODULE: ./src/version.ts + 1 modules
var version = __nccwpck_require__(1013);
// EXTERNAL MODULE: ./src/github/digest.ts
var github_digest = __nccwpck_require__(1099);
// EXTERNAL MODULE: ./src/severity.ts
var severity = __nccwpck_require__(1012);
;// CONCATENATED MODULE: ./src/gate/findings.ts

const num = (v) => {
    if (v === undefined || v.trim() === '')
        return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
};
function fromBasic(f, image) {
    const attrs = new Map();
    for (const a of f.attributes ?? [])
        if (a.key !== undefined && a.value !== undefined)
            attrs.set(a.key, a.value);
    const id = f.name ?? 'UNKNOWN';
    const pkg = attrs.get('package_name') ?? '';
    const version = attrs.get('package_version') ?? '';
    const score = num(attrs.get('CVSS3_SCORE')) ?? num(attrs.get('CVSS2_SCORE'));
    const finding = {
        key: `${id}|${pkg}|${version}`,
        id,
        source: 'basic',
        severity: (0,severity/* normaliseSeverity */.s4)(f.severity),
        rawSeverity: f.severity ?? '',
        status: 'ACTIVE',
        package: pkg,
        version,
        fixedIn: '',
        fixAvailable: '',
        exploitAvailable: '',
        title: id,
        description: f.description ?? '',
        url: f.uri ?? '',
        imageDigest: image.imageDigest,
        platform: image.platform,
    };
    if (score !== undefined)
        finding.score = score;
    return finding;
}
/**
 * An enhanced finding; one per vulnerable package (Inspector lists several packages in one finding
 * at times: each is a finding of its own here, so that ignore `package=` and SARIF results work).
 */
function fromEnhanced(f, image) {
    const d = f.packageVulnerabilityDetails;
    const id = d?.vulnerabilityId ?? f.title ?? 'UNKNOWN';
    const packages = d?.vulnerablePackages?.length ? d.vulnerablePackages : [{}];
    const score = f.score ?? d?.cvss?.find((c) => c.baseScore !== undefined)?.baseScore;
    const url = d?.sourceUrl ?? f.remediation?.recommendation?.url ?? d?.referenceUrls?.[0] ?? '';
    return packages.map((p, i) => {
        const pkg = p.name ?? '';
        const version = p.version ?? '';
        const fixed = p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? p.fixedInVersion : '';
        const base = f.findingArn ?? `${id}|${pkg}|${version}`;
        const finding = {
            key: packages.length > 1 || !f.findingArn ? `${base}|${pkg}|${version}|${i}` : base,
            id,
            source: 'enhanced',
            severity: (0,severity/* normaliseSeverity */.s4)(f.severity),
            rawSeverity: f.severity ?? '',
            status: (f.status ?? 'ACTIVE').toUpperCase(),
            package: pkg,
            version,
            fixedIn: fixed,
            fixAvailable: (f.fixAvailable ?? '').toUpperCase(),
            exploitAvailable: (f.exploitAvailable ?? '').toUpperCase(),
            title: f.title ?? id,
            description: f.description ?? '',
            url,
            imageDigest: image.imageDigest,
            platform: image.platform,
        };
        if (score !== undefined)
            finding.score = score;
        return finding;
    });
}
/** Two 32-bit FNV-1a lanes over one string, folded into the running lanes (no allocation). */
function fnv(text, h) {
    let a = h[0];
    let b = h[1];
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        a = Math.imul(a ^ c, 16777619);
        b = Math.imul(b ^ c, 2246822519) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 0x1f, 16777619);
    b = Math.imul(b ^ 0x1f, 2246822519);
    h[0] = a;
    h[1] = b;
}
/**
 * A fingerprint of a finding set: what must stay the same over the settle window. Order does not
 * matter (each finding is hashed alone and the hashes are summed); it covers the fields a decision
 * depends on, so a finding whose severity, status or fix state changes counts as a change. Built
 * without sorting or joining, for 50,000 findings.
 */
function findings_fingerprint(findings) {
    let s1 = 0;
    let s2 = 0;
    let x1 = 0;
    const h = [0, 0];
    for (const f of findings) {
        h[0] = 0x811c9dc5;
        h[1] = 0x01000193;
        fnv(f.imageDigest, h);
        fnv(f.key, h);
        fnv(f.severity, h);
        fnv(f.status, h);
        fnv(f.fixAvailable, h);
        s1 = (s1 + (h[0] >>> 0)) >>> 0;
        s2 = (s2 + (h[1] >>> 0)) >>> 0;
        x1 = (x1 ^ Math.imul(h[0] ^ (h[1] >>> 7), 0x9e3779b1)) >>> 0;
    }
    const hex = (n) => n.toString(16).padStart(8, '0');
    return `${findings.length}:${hex(s1)}${hex(s2)}${hex(x1)}`;
}

;// CONCATENATED MODULE: ./src/registry.ts
/** Pure helpers about ECR registries, tokens and image references. No I/O. */
/** ECR's authorizationToken is base64("AWS:<password>"). */
function decodeAuthToken(token) {
    const text = Buffer.from(token, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0 || colon === text.length - 1) {
        throw new Error('ECR returned an authorization token that is not base64 of "user:password"');
    }
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
/** The registry host forms ECR uses (commercial, China, dual-stack, sovereign cloud). */
const ECR_HOST = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|amazonaws\.eu|on\.aws|c2s\.ic\.gov|sc2s\.sgov\.gov)$/;
const ECR_DUALSTACK_HOST = /^(\d{12})\.dkr-ecr\.([a-z0-9-]+)\.on\.aws$/;
/** Account and region of an ECR registry host, or undefined for any other registry. */
function parseEcrHost(host) {
    const m = ECR_HOST.exec(host) ?? ECR_DUALSTACK_HOST.exec(host);
    if (!m?.[1] || !m[2])
        return undefined;
    return { account: m[1], region: m[2] };
}
/**
 * Registry host from GetAuthorizationToken's proxyEndpoint. One token opens every registry the
 * principal may use, so a cross-account push swaps the account in the host. A proxyEndpoint that is
 * not an ECR host (a local test registry) is used as it is.
 */
function registryHost(proxyEndpoint, registryId) {
    let host;
    try {
        host = new URL(proxyEndpoint).host;
    }
    catch {
        host = proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
    }
    if (host === '')
        throw new Error(`ECR returned an unusable proxyEndpoint '${proxyEndpoint}'`);
    const ecr = parseEcrHost(host);
    if (registryId && ecr && ecr.account !== registryId) {
        return registryId + host.slice(ecr.account.length);
    }
    return host;
}
/** Account ID out of an ARN (`arn:aws:sts::123456789012:assumed-role/…`). */
function accountFromArn(arn) {
    const parts = arn.split(':');
    const account = parts[4];
    return parts[0] === 'arn' && account && /^\d{12}$/.test(account) ? account : undefined;
}
/** The digest `docker push` reports on its last line: `<tag>: digest: sha256:… size: N`. */
function parsePushDigest(output) {
    const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)];
    return matches.at(-1)?.[1];
}
function imageRefs(registry, repository, tags, digest) {
    const repositoryUri = `${registry}/${repository}`;
    return {
        registry,
        repositoryUri,
        imageUri: `${repositoryUri}:${tags[0] ?? ''}`,
        imageRef: `${repositoryUri}@${digest}`,
    };
}
/** Claims of a JWT's payload, for error messages. The signature is not checked: STS does that. */
function jwtClaims(jwt) {
    const payload = jwt.split('.')[1];
    if (!payload)
        return {};
    try {
        const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return value && typeof value === 'object' ? value : {};
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./src/ecr.ts



/** An ECR client for the region; credentials undefined: the SDK's default chain. */
async function createEcrClient(region, credentials) {
    const { ECRClient } = await ecrSdk();
    // The SDK's standard retry strategy already retries throttling, 5xx and network errors with
    // jittered backoff; give it a little more room than the default 3 attempts.
    return new ECRClient({
        region,
        maxAttempts: 5,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 30000 },
        ...(credentials ? { credentials } : {}),
    });
}
/** GetAuthorizationToken, decoded. Every secret part is masked before this returns. */
async function getAuthorization(client, mask) {
    const { GetAuthorizationTokenCommand } = await ecrSdk();
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) {
        throw new Error('GetAuthorizationToken answered without authorization data');
    }
    mask(data.authorizationToken);
    const creds = decodeAuthToken(data.authorizationToken);
    mask(creds.password);
    return {
        ...creds,
        proxyEndpoint: data.proxyEndpoint,
        expiresAt: data.expiresAt ?? new Date(Date.now() + 12 * 3600 * 1000),
    };
}
/** The repository, or undefined when it does not exist. */
async function findRepository(client, repositoryName, registryId) {
    const { DescribeRepositoriesCommand } = await ecrSdk();
    try {
        const out = await client.send(new DescribeRepositoriesCommand({
            repositoryNames: [repositoryName],
            ...(registryId ? { registryId } : {}),
        }));
        return out.repositories?.[0];
    }
    catch (err) {
        if (errorName(err) === 'RepositoryNotFoundException')
            return undefined;
        throw err;
    }
}
/** Digest ECR holds for each tag. A tag ECR does not know maps to undefined. */
async function digestsForTags(client, repositoryName, tags, registryId) {
    const { DescribeImagesCommand } = await ecrSdk();
    const result = new Map(tags.map((t) => [t, undefined]));
    // DescribeImages takes at most 100 image IDs a call; it fails the whole call on an unknown tag,
    // so ask again tag by tag when that happens.
    for (let i = 0; i < tags.length; i += 100) {
        const chunk = tags.slice(i, i + 100);
        try {
            const out = await client.send(new DescribeImagesCommand({
                repositoryName,
                imageIds: chunk.map((imageTag) => ({ imageTag })),
                ...(registryId ? { registryId } : {}),
            }));
            for (const d of out.imageDetails ?? []) {
                for (const t of d.imageTags ?? [])
                    if (result.has(t))
                        result.set(t, d.imageDigest);
            }
        }
        catch (err) {
            if (errorName(err) !== 'ImageNotFoundException')
                throw err;
            if (chunk.length === 1)
                continue;
            for (const t of chunk) {
                result.set(t, (await digestsForTags(client, repositoryName, [t], registryId)).get(t));
            }
        }
    }
    return result;
}
/** Turns an AWS error into one line that says what to do, for the calls the push makes. */
function explainEcrError(action, err, repositoryArnOrName) {
    const name = errorName(err);
    const msg = errorMessage(err);
    if (name === 'AccessDeniedException') {
        return new ActionError(`${action} was denied: ${msg}. Grant the permission in the role's policy (see the README's least-privilege policy) for ${repositoryArnOrName}.`);
    }
    if (name === 'ExpiredTokenException') {
        return new ActionError(`${action} failed: the AWS credentials expired (${msg}). Re-run the job.`);
    }
    if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
        return new ActionError(`${action} failed: AWS did not accept the credentials (${name}: ${msg}).`);
    }
    return new Error(`${action} failed: ${name ? `${name}: ` : ''}${msg}`, { cause: err });
}
/**
 * GetRegistryScanningConfiguration, asked at most once: the scan gate and governance both need the
 * answer in the same run. A failure is shared too (the SDK has already retried it).
 */
function registryScanningOnce(client) {
    let answer;
    return () => {
        answer ??= (async () => {
            const { GetRegistryScanningConfigurationCommand } = await ecrSdk();
            return client.send(new GetRegistryScanningConfigurationCommand({}));
        })();
        return answer;
    };
}

// EXTERNAL MODULE: ./src/retry.ts
var retry = __nccwpck_require__(9809);
;// CONCATENATED MODULE: ./src/gate/status.ts
/**
 * The scan wait as an explicit state machine. Pure: the loop in wait.ts does the calls and feeds
 * each answer in as an Observation; `nextStep` says what to do next. Time is a number (ms) passed in.
 */

/** ECR's ten `imageScanStatus.status` values. */
const SCAN_STATUSES = (/* unused pure expression or super */ null && ([
    'IN_PROGRESS',
    'COMPLETE',
    'FAILED',
    'UNSUPPORTED_IMAGE',
    'ACTIVE',
    'PENDING',
    'SCAN_ELIGIBILITY_EXPIRED',
    'FINDINGS_UNAVAILABLE',
    'LIMIT_EXCEEDED',
    'IMAGE_ARCHIVED',
]));
/**
 * The one readiness predicate of the gate: the scan has answered and its findings can be read.
 * COMPLETE (basic, or enhanced scan-on-push) and ACTIVE (enhanced continuous, which never becomes
 * COMPLETE). Ready is not settled: findings keep arriving for a while (see the fill-in floor).
 */
function isReady(status) {
    return status === 'COMPLETE' || status === 'ACTIVE';
}
/** What one status means for the gate. Unknown statuses fail closed. */
function classifyStatus(status, description = '') {
    const said = description ? ` (ECR: "${description}")` : '';
    if (isReady(status))
        return { kind: 'ready' };
    switch (status) {
        case 'PENDING':
        case 'IN_PROGRESS':
            return { kind: 'waiting' };
        case 'FAILED':
            return {
                kind: 'terminal',
                message: `ECR's scan of the image failed${said}. Push the image again, or start a new scan (aws ecr start-image-scan) once the cause is fixed.`,
            };
        case 'UNSUPPORTED_IMAGE':
            return {
                kind: 'terminal',
                message: `ECR cannot scan this image: its operating system or format is not supported (images built FROM scratch have no OS packages to scan)${said}.`,
            };
        case 'FINDINGS_UNAVAILABLE':
            return {
                kind: 'terminal',
                message: `Amazon Inspector has no findings for this image (the image is no longer monitored or its findings were closed)${said}. Push the image again to have it scanned.`,
            };
        case 'SCAN_ELIGIBILITY_EXPIRED':
            return {
                kind: 'terminal',
                message: `Continuous scanning of this image lapsed (Amazon Inspector's ECR re-scan duration ran out)${said}. Push the image again, or raise the re-scan duration in Inspector's ECR settings.`,
            };
        case 'LIMIT_EXCEEDED':
            return {
                kind: 'terminal',
                message: `ECR did not scan this image: a scan limit was exceeded${said}. Wait for the limit to reset (basic scanning: once per image per 24 hours) and scan again.`,
            };
        case 'IMAGE_ARCHIVED':
            return {
                kind: 'terminal',
                message: `The image is archived in ECR and archived images are not scanned${said}. Restore it (aws ecr update-image-storage-class --target-storage-class STANDARD) to scan it.`,
            };
        default:
            return {
                kind: 'terminal',
                message: `ECR answered an unknown scan status '${status}'${said}; the gate fails closed on statuses it does not know. Update the action.`,
            };
    }
}
/** See WaitConfig.emptySettleMs: twice the ~30 s fill-in that users observed. */
const EMPTY_SETTLE_FLOOR_MS = 60_000;
function defaultWaitConfig(startedAt, timeoutSeconds, settleSeconds) {
    return {
        startedAt,
        timeoutMs: timeoutSeconds * 1000,
        settleMs: settleSeconds * 1000,
        emptySettleMs: Math.max(settleSeconds * 1000, EMPTY_SETTLE_FLOOR_MS),
        scanNotFoundGraceMs: 180_000,
        imageNotFoundGraceMs: 15_000,
        startScanAfterGrace: false,
        baseDelayMs: 2000,
        capDelayMs: 15_000,
        msPerCall: 1000,
    };
}
function initialState(cfg) {
    return {
        attempt: 0,
        last: 'NOT_STARTED',
        lastDescription: '',
        sameReads: 0,
        scanStartRequested: false,
        graceFrom: cfg.startedAt,
    };
}
/** The next step after `obs` at `now`. */
function nextStep(prev, obs, now, cfg) {
    const state = { ...prev };
    const deadline = cfg.startedAt + cfg.timeoutMs;
    const elapsedS = Math.round((now - cfg.startedAt) / 1000);
    // Wait at least one second per call just made, so the average stays at one call a second.
    const spacing = Math.max(1, obs.calls) * cfg.msPerCall;
    const backoff = () => {
        const delay = Math.max(spacing, (0,retry/* backoffDelay */.E)(state.attempt, {
            baseMs: cfg.baseDelayMs,
            capMs: cfg.capDelayMs,
            ...(cfg.random ? { random: cfg.random } : {}),
        }));
        state.attempt += 1;
        return poll(delay);
    };
    const poll = (delayMs) => {
        if (now >= deadline)
            return timeout();
        return { kind: 'poll', delayMs: Math.max(0, Math.min(delayMs, deadline - now)) };
    };
    const timeout = () => {
        let why;
        if (state.fingerprint !== undefined) {
            why = `the findings were still changing (ready as ${state.last}, but the finding set had not stayed the same for ${cfg.settleMs / 1000} s)`;
        }
        else if (state.last === 'SCAN_NOT_FOUND') {
            why = 'ECR had not started a scan of the image (ScanNotFound)';
        }
        else if (state.last === 'ERROR') {
            why = `ECR kept failing: ${state.lastError ?? 'unknown error'}`;
        }
        else {
            why = `the scan was still ${state.last}`;
        }
        return {
            kind: 'unavailable',
            status: 'TIMEOUT',
            message: `No trustworthy findings after ${elapsedS} s (scan-timeout-seconds: ${cfg.timeoutMs / 1000}): ${why}. Raise scan-timeout-seconds, or set on-scan-unavailable: warn to let the step pass.`,
        };
    };
    switch (obs.kind) {
        case 'scan-started':
            state.scanStartRequested = true;
            state.graceFrom = now;
            state.attempt = 0;
            return { state, step: poll(Math.max(spacing, cfg.baseDelayMs)) };
        case 'error':
            state.lastError = obs.message;
            if (!obs.transient)
                return { state, step: { kind: 'failed', message: obs.message } };
            state.last = 'ERROR';
            return { state, step: backoff() };
        case 'image-not-found': {
            state.firstImageNotFoundAt ??= now;
            state.last = 'IMAGE_NOT_FOUND';
            if (now - state.firstImageNotFoundAt >= cfg.imageNotFoundGraceMs) {
                return {
                    state,
                    step: {
                        kind: 'unavailable',
                        status: 'IMAGE_NOT_FOUND',
                        message: `The pushed image is no longer in the repository (ImageNotFound for ${Math.round((now - state.firstImageNotFoundAt) / 1000)} s): it was deleted or expired by a lifecycle policy while the gate waited. Nothing was scanned.`,
                    },
                };
            }
            return { state, step: backoff() };
        }
        case 'scan-not-found': {
            state.last = 'SCAN_NOT_FOUND';
            delete state.firstImageNotFoundAt;
            if (now - state.graceFrom >= cfg.scanNotFoundGraceMs) {
                if (cfg.startScanAfterGrace && !state.scanStartRequested)
                    return { state, step: { kind: 'start-scan' } };
                return {
                    state,
                    step: {
                        kind: 'unavailable',
                        status: 'NOT_CONFIGURED',
                        message: `ECR has no scan of the image ${Math.round((now - state.graceFrom) / 1000)} s after it was pushed (ScanNotFound): the repository is not covered by scanning. Turn on scan-on-push (aws ecr put-image-scanning-configuration --repository-name <repo> --image-scanning-configuration scanOnPush=true) or add it to an enhanced scanning rule.`,
                    },
                };
            }
            return { state, step: backoff() };
        }
        case 'status': {
            delete state.firstImageNotFoundAt;
            const changed = state.last !== obs.status;
            state.last = obs.status;
            state.lastDescription = obs.description ?? '';
            const cls = classifyStatus(obs.status, obs.description);
            if (cls.kind === 'terminal')
                return { state, step: { kind: 'unavailable', status: obs.status, message: cls.message } };
            if (cls.kind === 'waiting') {
                delete state.fingerprint;
                delete state.stableSince;
                state.sameReads = 0;
                if (changed)
                    state.attempt = 0;
                return { state, step: backoff() };
            }
            // Ready: the finding set must stay the same for the settle window.
            if (obs.fingerprint === undefined)
                return { state, step: poll(spacing) };
            if (obs.fingerprint !== state.fingerprint) {
                state.fingerprint = obs.fingerprint;
                state.stableSince = now;
                state.sameReads = 1;
            }
            else {
                state.sameReads += 1;
            }
            const stableFor = now - (state.stableSince ?? now);
            const windowMs = obs.empty ? Math.max(cfg.settleMs, cfg.emptySettleMs) : cfg.settleMs;
            if (stableFor >= windowMs && (state.sameReads >= 2 || windowMs === 0)) {
                return { state, step: { kind: 'settled', status: obs.status } };
            }
            // Read again a few times within the window, never faster than the call budget allows.
            const left = windowMs - stableFor;
            const interval = Math.min(Math.max(windowMs / 4, 1000), 10_000);
            const jitter = 0.8 + 0.4 * (cfg.random ?? Math.random)();
            const delay = Math.max(spacing, Math.min(left > 0 ? left : interval, interval * jitter));
            return { state, step: poll(delay) };
        }
    }
}

;// CONCATENATED MODULE: ./src/gate/ecr-scan.ts





async function attempt(fn) {
    try {
        return { ok: true, value: await fn() };
    }
    catch (err) {
        return {
            ok: false,
            denied: errorName(err) === 'AccessDeniedException',
            message: `${errorName(err) || 'Error'}: ${errorMessage(err)}`,
        };
    }
}
async function getRegistryConfig(api) {
    const read = api.registryScanning ?? registryScanningOnce(api.ecr);
    return attempt(async () => {
        const out = await read();
        const c = out.scanningConfiguration;
        return {
            scanType: c?.scanType ?? 'BASIC',
            rules: (c?.rules ?? []).map((r) => ({
                scanFrequency: r.scanFrequency ?? 'MANUAL',
                repositoryFilters: (r.repositoryFilters ?? []).map((f) => ({
                    filter: f.filter ?? '',
                    filterType: f.filterType ?? 'WILDCARD',
                })),
            })),
        };
    });
}
async function getRepositoryConfig(api) {
    const { BatchGetRepositoryScanningConfigurationCommand } = await ecrSdk();
    return attempt(async () => {
        const out = await api.ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [api.repository] }));
        const c = out.scanningConfigurations?.find((s) => s.repositoryName === api.repository);
        if (!c)
            return undefined;
        return {
            scanOnPush: c.scanOnPush ?? false,
            scanFrequency: c.scanFrequency ?? 'MANUAL',
            appliedScanFilters: (c.appliedScanFilters ?? []).map((f) => ({
                filter: f.filter ?? '',
                filterType: f.filterType ?? 'WILDCARD',
            })),
        };
    });
}
async function startImageScan(api, digest) {
    const { StartImageScanCommand } = await ecrSdk();
    try {
        const out = await api.ecr.send(new StartImageScanCommand({
            registryId: api.registryId,
            repositoryName: api.repository,
            imageId: { imageDigest: digest },
        }));
        return out.imageScanStatus?.status
            ? { kind: 'started', status: out.imageScanStatus.status }
            : { kind: 'started' };
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'LimitExceededException')
            return { kind: 'already-scanned' };
        if (name === 'UnsupportedImageTypeException')
            return { kind: 'unsupported', message: errorMessage(err) };
        return { kind: 'not-possible', message: `${name || 'Error'}: ${errorMessage(err)}` };
    }
}
const PAGE_SIZE = 1000;
/** Transient: throttling, 5xx, network. The SDK has already retried these itself. */
function isTransient(err) {
    const name = errorName(err);
    if (/Throttl|TooManyRequests|LimitExceeded|RequestTimeout|ServiceUnavailable|InternalFailure|ServerException|TimeoutError/i.test(name))
        return true;
    const status = httpStatus(err);
    if (status !== undefined)
        return status >= 500 || status === 429;
    // No answer at all: connection reset, refused, DNS.
    return true;
}
/**
 * One look at the scan: the status, and when it is ready, every page of findings (maxResults 1000),
 * normalised. `platform` labels the findings of one image of a multi-platform index.
 */
async function readScan(api, digest, platform) {
    const { DescribeImageScanFindingsCommand } = await ecrSdk();
    let calls = 0;
    let nextToken;
    let status = '';
    let description = '';
    let completedAt;
    const findings = [];
    const image = { imageDigest: digest, platform };
    try {
        do {
            calls += 1;
            const out = await api.ecr.send(new DescribeImageScanFindingsCommand({
                registryId: api.registryId,
                repositoryName: api.repository,
                imageId: { imageDigest: digest },
                maxResults: PAGE_SIZE,
                ...(nextToken ? { nextToken } : {}),
            }));
            if (calls === 1) {
                status = out.imageScanStatus?.status ?? '';
                description = out.imageScanStatus?.description ?? '';
                completedAt = out.imageScanFindings?.imageScanCompletedAt;
                if (!isReady(status))
                    return { kind: 'status', status: status || 'UNKNOWN', description, calls };
            }
            for (const f of out.imageScanFindings?.findings ?? [])
                findings.push(fromBasic(f, image));
            for (const f of out.imageScanFindings?.enhancedFindings ?? []) {
                for (const n of fromEnhanced(f, image))
                    findings.push(n);
            }
            nextToken = out.nextToken;
        } while (nextToken);
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'ScanNotFoundException')
            return { kind: 'scan-not-found', calls };
        if (name === 'ImageNotFoundException')
            return { kind: 'image-not-found', calls };
        const transient = isTransient(err);
        const message = transient
            ? `${name || 'Error'}: ${errorMessage(err)}`
            : name === 'AccessDeniedException'
                ? `ecr:DescribeImageScanFindings was denied: ${errorMessage(err)}. Grant it on the repository in the role's policy (see the README's least-privilege policy).`
                : `DescribeImageScanFindings failed: ${name ? `${name}: ` : ''}${errorMessage(err)}`;
        return { kind: 'error', message, transient, calls };
    }
    const read = { kind: 'status', status, description, findings, calls };
    if (completedAt)
        read.completedAt = completedAt;
    return read;
}
const INDEX_TYPES = new Set([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
]);
/** The platform images of an index, without attestation manifests (pure). */
function platformImages(index) {
    const out = [];
    for (const m of index.manifests ?? []) {
        if (!m.digest)
            continue;
        if (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
            continue;
        const os = m.platform?.os ?? 'unknown';
        const arch = m.platform?.architecture ?? 'unknown';
        if (os === 'unknown' && arch === 'unknown')
            continue;
        if (m.mediaType && INDEX_TYPES.has(m.mediaType))
            continue;
        out.push({ digest: m.digest, platform: [os, arch, m.platform?.variant].filter(Boolean).join('/') });
    }
    return out;
}
/** What to gate: the pushed digest, or each platform image when it is an image index. */
async function scanTargets(api, digest) {
    const { BatchGetImageCommand } = await ecrSdk();
    const out = await api.ecr.send(new BatchGetImageCommand({
        registryId: api.registryId,
        repositoryName: api.repository,
        imageIds: [{ imageDigest: digest }],
        acceptedMediaTypes: [
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
            ...INDEX_TYPES,
        ],
    }));
    const image = out.images?.[0];
    if (!image?.imageManifestMediaType || !INDEX_TYPES.has(image.imageManifestMediaType))
        return [{ digest, platform: '' }];
    const targets = platformImages(JSON.parse(image.imageManifest ?? '{}'));
    return targets.length > 0 ? targets : [{ digest, platform: '' }];
}

;// CONCATENATED MODULE: ./src/gate/mode.ts
/**
 * Which scanner covers the repository, decided from the registry's and the repository's scanning
 * configuration. Pure: the calls are in discovery.ts.
 */
/** ECR's repository filter wildcard: `*` matches any run of characters. */
function filterMatches(filter, repository) {
    const re = filter
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
        .join('.*');
    return new RegExp(`^${re}$`).test(repository);
}
/** The first rule (CONTINUOUS_SCAN before SCAN_ON_PUSH, as ECR applies them) matching the repository. */
function matchingRule(rules, repository) {
    const order = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL'];
    return [...rules]
        .sort((a, b) => order.indexOf(a.scanFrequency) - order.indexOf(b.scanFrequency))
        .find((r) => r.repositoryFilters.some((f) => filterMatches(f.filter, repository)));
}
/**
 * The command that puts the repository under enhanced scanning, keeping the registry's other
 * rules (put-registry-scanning-configuration replaces all of them).
 */
function enhancedFixCommand(registry, repository, region) {
    const rules = registry.rules.map((r) => ({
        scanFrequency: r.scanFrequency,
        repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })),
    }));
    const target = rules.find((r) => r.scanFrequency === 'CONTINUOUS_SCAN') ??
        rules.find((r) => r.scanFrequency === 'SCAN_ON_PUSH');
    if (target)
        target.repositoryFilters.push({ filter: repository, filterType: 'WILDCARD' });
    else
        rules.push({
            scanFrequency: 'SCAN_ON_PUSH',
            repositoryFilters: [{ filter: repository, filterType: 'WILDCARD' }],
        });
    return `aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '${JSON.stringify(rules)}' --region ${region}`;
}
/**
 * Decide the mode. `registry` or `repo` undefined: that call failed. `repositoryScanOnPush` is the
 * repository's own basic scan-on-push flag (DescribeRepositories), used when the batch call failed.
 */
function decideScanMode(registry, repo, repository, region, repositoryScanOnPush) {
    if (registry === undefined) {
        return { kind: 'unknown', why: 'the registry scanning configuration could not be read' };
    }
    if (registry.scanType === 'ENHANCED') {
        let frequency;
        if (repo !== undefined) {
            frequency =
                repo.appliedScanFilters.length > 0 || repo.scanFrequency !== 'MANUAL' ? repo.scanFrequency : undefined;
        }
        else {
            frequency = matchingRule(registry.rules, repository)?.scanFrequency;
        }
        if (frequency === 'CONTINUOUS_SCAN' || frequency === 'SCAN_ON_PUSH')
            return { kind: 'enhanced', frequency };
        return {
            kind: 'not-covered',
            message: `Repository '${repository}' is not covered by enhanced scanning: the registry uses Amazon Inspector (ENHANCED) and none of its scanning rules' filters matches the repository, so it will never be scanned. ` +
                `Add it to a rule: ${enhancedFixCommand(registry, repository, region)}`,
        };
    }
    // BASIC (or a scanType ECR may add later: treat as basic, which StartImageScan can always drive).
    if (repo !== undefined)
        return { kind: 'basic', scanOnPush: repo.scanOnPush || repo.scanFrequency === 'SCAN_ON_PUSH' };
    const rule = matchingRule(registry.rules, repository);
    return {
        kind: 'basic',
        scanOnPush: rule?.scanFrequency === 'SCAN_ON_PUSH' || repositoryScanOnPush === true,
    };
}

;// CONCATENATED MODULE: ./src/gate/policy.ts
/**
 * The gate's policy: ignore entries (parsed before any network call) and the verdict over a finding
 * set. Pure: no I/O; `today` is passed in.
 */

const ID = /^[^\s=#]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function validDate(s) {
    const m = DATE.exec(s);
    if (!m)
        return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s;
}
const FORM = "'ID [until=YYYY-MM-DD] [package=NAME] [# reason]'";
/** Parses one line of the line form; null for blanks and comment lines. */
function parseLine(line, input, where, problems) {
    const hash = line.search(/(^|\s)#/);
    const body = (hash >= 0 ? line.slice(0, hash) : line).trim();
    const reason = hash >= 0 ? line.slice(hash).replace(/^\s*#/, '').trim() : '';
    if (body === '')
        return null;
    const [id = '', ...rest] = body.split(/\s+/);
    const bad = (what) => {
        problems.push(`Invalid input '${input}' (${where}): ${what}. Expected ${FORM}, e.g. 'CVE-2024-1234 until=2025-06-30 package=openssl # no fix yet'.`);
        return null;
    };
    if (!ID.test(id))
        return bad(`'${id}' is not a vulnerability ID`);
    const entry = { id, reason, source: where };
    for (const word of rest) {
        const kv = /^(until|package)=(.+)$/.exec(word);
        if (!kv)
            return bad(`unexpected '${word}'`);
        if (kv[1] === 'until') {
            if (!validDate(kv[2] ?? ''))
                return bad(`'${kv[2] ?? ''}' is not a date YYYY-MM-DD`);
            entry.until = kv[2];
        }
        else
            entry.package = kv[2];
    }
    return entry;
}
/** The `ignore` input: one entry a line. */
function parseIgnoreText(text, input = 'ignore', lineOffset = 0) {
    const entries = [];
    const problems = [];
    text.split(/\r?\n/).forEach((line, i) => {
        const e = parseLine(line, input, `line ${i + 1 + lineOffset}`, problems);
        if (e)
            e.source = `${input} ${e.source}`;
        if (e)
            entries.push(e);
    });
    return { entries, problems };
}
/** True when an ignore file is a YAML list (its first content line starts with `- `). */
function isYamlList(text) {
    const firstContent = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
    return /^\s*-(\s|$)/.test(firstContent);
}
/**
 * The `ignore-file`: the line form, or YAML: a list of `{id, until, package, reason}` (or of lines).
 * `parseYaml` is handed in (the `yaml` package, loaded only when a file is YAML: cold start).
 */
function parseIgnoreFile(text, input = 'ignore-file', parseYaml) {
    if (!isYamlList(text))
        return parseIgnoreText(text, input);
    if (!parseYaml)
        throw new Error('parseIgnoreFile: a YAML list needs a YAML parser');
    let doc;
    try {
        doc = parseYaml(text);
    }
    catch (err) {
        const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
        return {
            entries: [],
            problems: [
                `Invalid input '${input}': not valid YAML (${msg}). Expected a list of {id, until, package, reason}, or lines ${FORM}.`,
            ],
        };
    }
    const entries = [];
    const problems = [];
    if (!Array.isArray(doc)) {
        return {
            entries,
            problems: [`Invalid input '${input}': expected a YAML list of {id, until, package, reason}.`],
        };
    }
    doc.forEach((item, i) => {
        const where = `item ${i + 1}`;
        if (typeof item === 'string') {
            const e = parseLine(item, input, where, problems);
            if (e)
                entries.push({ ...e, source: `${input} ${where}` });
            return;
        }
        const bad = (what) => {
            problems.push(`Invalid input '${input}' (${where}): ${what}. Expected {id: CVE-2024-1234, until: 2025-06-30, package: openssl, reason: "no fix yet"}.`);
        };
        if (item === null || typeof item !== 'object' || Array.isArray(item))
            return bad('not a mapping');
        const rec = item;
        const unknown = Object.keys(rec).filter((k) => !['id', 'until', 'package', 'reason'].includes(k));
        if (unknown.length > 0)
            return bad(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
        const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id).trim() : '';
        if (!ID.test(id))
            return bad(id === '' ? "missing 'id'" : `'${id}' is not a vulnerability ID`);
        const entry = {
            id,
            reason: typeof rec.reason === 'string' ? rec.reason.trim() : '',
            source: `${input} ${where}`,
        };
        if (rec.until !== undefined && rec.until !== null) {
            // YAML reads an unquoted 2025-06-30 as a string with the core schema; accept Date too.
            const until = rec.until instanceof Date ? rec.until.toISOString().slice(0, 10) : String(rec.until);
            if (!validDate(until))
                return bad(`until '${until}' is not a date YYYY-MM-DD`);
            entry.until = until;
        }
        if (rec.package !== undefined && rec.package !== null) {
            if (typeof rec.package !== 'string' || rec.package.trim() === '')
                return bad("'package' must be a package name");
            entry.package = rec.package.trim();
        }
        entries.push(entry);
    });
    return { entries, problems };
}
function zeroCounts() {
    return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 };
}
function isExpired(e, today) {
    return e.until !== undefined && e.until < today;
}
/** Does a counted finding at `s` fail the gate at `threshold`? */
function blocks(s, threshold) {
    return (0,severity/* atOrAbove */.kU)(s, threshold);
}
/** The verdict. `today` is YYYY-MM-DD (UTC). */
function evaluate(findings, policy, today) {
    const byId = new Map();
    policy.ignore.forEach((e, i) => {
        if (isExpired(e, today))
            return;
        const k = e.id.toLowerCase();
        const list = byId.get(k);
        if (list)
            list.push(i);
        else
            byId.set(k, [i]);
    });
    const matches = policy.ignore.map(() => 0);
    const counts = zeroCounts();
    const ignoredCounts = zeroCounts();
    const results = new Array(findings.length);
    let total = 0;
    let ignored = 0;
    let blocking = 0;
    let fixUnknown = 0;
    let highestRank = -1;
    for (let n = 0; n < findings.length; n++) {
        const f = findings[n];
        if (f.status !== 'ACTIVE') {
            results[n] = { finding: f, disposition: 'inactive', blocking: false };
            continue;
        }
        const candidates = byId.get(f.id.toLowerCase());
        let by;
        if (candidates) {
            const pkg = f.package.toLowerCase();
            by = candidates.find((i) => {
                const p = policy.ignore[i]?.package;
                return p === undefined || p.toLowerCase() === pkg;
            });
        }
        if (by !== undefined) {
            matches[by] = (matches[by] ?? 0) + 1;
            ignoredCounts[f.severity] += 1;
            ignored += 1;
            results[n] = { finding: f, disposition: 'ignored', ignoredBy: by, blocking: false };
            continue;
        }
        if (policy.onlyFixable) {
            if (f.fixAvailable === '')
                fixUnknown += 1;
            else if (f.fixAvailable !== 'YES' && f.fixAvailable !== 'PARTIAL') {
                results[n] = { finding: f, disposition: 'not-fixable', blocking: false };
                continue;
            }
        }
        counts[f.severity] += 1;
        total += 1;
        const rank = (0,severity/* severityRank */.qs)(f.severity);
        if (rank > highestRank)
            highestRank = rank;
        const b = blocks(f.severity, policy.threshold);
        if (b)
            blocking += 1;
        results[n] = { finding: f, disposition: 'counted', blocking: b };
    }
    const highest = highestRank < 0 ? 'NONE' : (0,severity/* severityOfRank */.V6)(highestRank);
    return {
        results,
        counts,
        ignoredCounts,
        total,
        ignored,
        blocking,
        highest,
        failed: blocking > 0,
        expired: policy.ignore.filter((e) => isExpired(e, today)),
        unused: policy.ignore.filter((e, i) => !isExpired(e, today) && matches[i] === 0),
        matches,
        fixUnknown,
    };
}

// EXTERNAL MODULE: ./src/gate/reports.ts
var reports = __nccwpck_require__(172);
// EXTERNAL MODULE: ./src/gate/sarif.ts
var sarif = __nccwpck_require__(9270);
;// CONCATENATED MODULE: ./src/gate/wait.ts



/** Waits for settled findings of one image. */
async function waitForFindings(deps, target, cfg, opts) {
    const label = target.platform ? `${target.platform} ${target.digest}` : target.digest;
    let state = initialState(cfg);
    let lastFindings = [];
    let lastShown = '';
    const start = async () => {
        const r = await startImageScan(deps.api, target.digest);
        if (r.kind === 'already-scanned')
            deps.log(`StartImageScan: ${label} was already scanned in the last 24 hours; reading that scan`);
        else if (r.kind === 'unsupported')
            return {
                kind: 'unavailable',
                status: 'UNSUPPORTED_IMAGE',
                message: `ECR cannot scan this image: ${r.message}`,
            };
        else if (r.kind === 'not-possible')
            deps.warn(`Could not start a basic scan of ${label} (${r.message}); waiting for one anyway. Grant ecr:StartImageScan, or turn on scan-on-push.`);
        else
            deps.log(`Started a basic scan of ${label}`);
        return { kind: 'scan-started', calls: 1 };
    };
    let obs;
    if (opts.startScanNow) {
        const r = await start();
        if (!('calls' in r))
            return r;
        obs = r;
        state = nextStep(state, obs, deps.clock(), cfg).state;
    }
    for (;;) {
        const read = await readScan(deps.api, target.digest, target.platform);
        if (read.kind === 'status') {
            obs = { kind: 'status', status: read.status, description: read.description, calls: read.calls };
            if (read.findings) {
                lastFindings = read.findings;
                obs.fingerprint = findings_fingerprint(read.findings);
                obs.empty = read.findings.length === 0;
            }
        }
        else
            obs = read;
        const shown = obs.kind === 'status'
            ? `${obs.status}${read.kind === 'status' && read.findings ? ` (${read.findings.length} findings)` : ''}`
            : obs.kind === 'error'
                ? `error: ${obs.message}`
                : obs.kind;
        if (shown !== lastShown)
            deps.log(`Scan of ${label}: ${shown}`);
        lastShown = shown;
        const t = nextStep(state, obs, deps.clock(), cfg);
        state = t.state;
        const step = t.step;
        switch (step.kind) {
            case 'poll':
                await deps.sleep(step.delayMs);
                continue;
            case 'start-scan': {
                const r = await start();
                if (!('calls' in r))
                    return r;
                state = nextStep(state, r, deps.clock(), cfg).state;
                continue;
            }
            case 'settled': {
                const result = { kind: 'settled', status: step.status, findings: lastFindings };
                if (step.status === 'ACTIVE' || lastFindings.some((f) => f.source === 'enhanced'))
                    result.scanType = 'ENHANCED';
                else if (lastFindings.length > 0)
                    result.scanType = 'BASIC';
                return result;
            }
            case 'unavailable':
                return { kind: 'unavailable', status: step.status, message: step.message };
            case 'failed':
                return { kind: 'failed', message: step.message };
        }
    }
}

;// CONCATENATED MODULE: ./src/gate/index.ts
/**
 * The scan gate: scan-mode discovery → wait for settled findings (per platform image) → policy →
 * outputs, job summary, annotations, SARIF and the report file. Decisions live in the pure modules
 * (mode, status, policy, sarif, reports); this file does the I/O at the edges.
 */













const REPORT_FILE = 'ecr-scan-report.json';
async function prepareGate(ctx) {
    const { inputs } = ctx;
    const problems = [];
    const ignore = [];
    const fromText = parseIgnoreText(inputs.ignore);
    problems.push(...fromText.problems);
    ignore.push(...fromText.entries);
    if (inputs.ignoreFile !== undefined) {
        let text;
        try {
            text = await promises_.readFile(inputs.ignoreFile, 'utf8');
        }
        catch (err) {
            const code = err.code ?? errorMessage(err);
            problems.push(`Invalid input 'ignore-file': cannot read ${inputs.ignoreFile} (${code}). Expected a file in the workspace with entries 'ID [until=YYYY-MM-DD] [package=NAME] [# reason]', or a YAML list of {id, until, package, reason}.`);
        }
        if (text !== undefined) {
            const yaml = isYamlList(text) ? (await __nccwpck_require__.e(/* import() */ 815).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8815, 19))).parse : undefined;
            const fromFile = parseIgnoreFile(text, 'ignore-file', yaml);
            problems.push(...fromFile.problems);
            ignore.push(...fromFile.entries);
        }
    }
    if (problems.length > 0)
        throw new InputError(problems);
    return {
        enabled: inputs.waitForScan,
        policy: { threshold: inputs.severityThreshold, onlyFixable: inputs.onlyFixable, ignore },
    };
}
/** Waits for the findings of the pushed digest, decides, reports. */
async function runGate(ctx, plan, tuning = {}) {
    if (!plan.enabled) {
        src_core/* setOutput */.uH('gate', 'skipped');
        src_core/* setOutput */.uH('scan-status', 'SKIPPED');
        src_core/* info */.pq('Scan gate skipped (wait-for-scan: false)');
        return { digest: (0,github_digest/* digestWithoutFindings */.Fs)('skipped', plan.policy.threshold) };
    }
    const { inputs, pushed } = ctx;
    const startedAt = ctx.clock();
    const api = {
        ecr: pushed.ecr,
        registryId: pushed.registryId,
        repository: inputs.repository,
        registryScanning: pushed.registryScanning,
    };
    // 1. Scan mode, before any waiting.
    const mode = await discoverMode(ctx, api);
    if (mode.kind === 'not-covered') {
        return unavailable(ctx, plan, 'NONE', 'NOT_CONFIGURED', mode.message, [], startedAt);
    }
    if (mode.kind === 'unknown')
        src_core/* warning */.$e(`${mode.why}; waiting for findings anyway.`);
    else
        src_core/* info */.pq(`Scanning: ${mode.kind === 'basic' ? `BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})` : `ENHANCED (${mode.frequency})`}`);
    // 2. What to gate: the image, or each platform image of an index.
    let targets;
    try {
        targets = await scanTargets(api, pushed.digest);
    }
    catch (err) {
        src_core/* warning */.$e(`Could not read the pushed manifest to find its platform images (${errorMessage(err)}); gating the pushed digest itself.`);
        targets = [{ digest: pushed.digest, platform: '' }];
    }
    if (targets.length > 1 || targets[0]?.platform) {
        src_core/* info */.pq(`Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`);
    }
    // 3. Wait for settled findings, each platform side by side (the call budget is shared).
    const cfg = {
        ...defaultWaitConfig(startedAt, inputs.scanTimeoutSeconds, inputs.scanSettleSeconds),
        startScanAfterGrace: mode.kind === 'unknown',
        ...tuning.wait,
    };
    cfg.msPerCall *= targets.length;
    const deps = {
        api,
        clock: ctx.clock,
        sleep: ctx.sleep,
        log: src_core/* info */.pq,
        warn: (l) => src_core/* warning */.$e(l),
    };
    const startScanNow = mode.kind === 'basic' && !mode.scanOnPush;
    const results = await Promise.all(targets.map((t) => waitForFindings(deps, t, cfg, { startScanNow })));
    const elapsed = Math.round((ctx.clock() - startedAt) / 1000);
    const scanType = scanTypeOf(mode, results);
    const failed = results.findIndex((r) => r.kind === 'failed');
    if (failed >= 0) {
        const r = results[failed];
        src_core/* setOutput */.uH('scan-type', scanType);
        src_core/* setOutput */.uH('gate', 'failed');
        ctx.report.add(0, `### ❌ Scan gate failed\n\n${r.message}`);
        return { failure: r.message, digest: (0,github_digest/* digestWithoutFindings */.Fs)('failed', plan.policy.threshold, r.message) };
    }
    const bad = results.findIndex((r) => r.kind === 'unavailable');
    if (bad >= 0) {
        const r = results[bad];
        const t = targets[bad];
        const msg = t.platform ? `${t.platform} (${t.digest}): ${r.message}` : r.message;
        return unavailable(ctx, plan, scanType, r.status, msg, platformScans(targets, results), startedAt);
    }
    // 4. Decide on the settled findings of every platform.
    const findings = [];
    for (const r of results)
        if (r.kind === 'settled')
            for (const f of r.findings)
                findings.push(f);
    const today = new Date(ctx.clock()).toISOString().slice(0, 10);
    const verdict = evaluate(findings, plan.policy, today);
    const statuses = [...new Set(results.map((r) => (r.kind === 'settled' ? r.status : '')))];
    const facts = {
        imageRef: pushed.imageRef,
        digest: pushed.digest,
        scanType,
        scanStatus: statuses.join(','),
        platforms: platformScans(targets, results),
        policy: plan.policy,
        today,
        elapsedSeconds: elapsed,
    };
    return decide(ctx, verdict, facts);
}
async function discoverMode(ctx, api) {
    const { pushed, inputs } = ctx;
    if (pushed.registryId !== pushed.identity.account) {
        return {
            kind: 'unknown',
            why: `The registry (${pushed.registryId}) belongs to another account, whose scanning configuration cannot be read from ${pushed.identity.account}`,
        };
    }
    const [registry, repo] = await Promise.all([getRegistryConfig(api), getRepositoryConfig(api)]);
    const problems = [registry, repo].flatMap((r) => (r.ok ? [] : [r]));
    if (problems.length > 0) {
        const denied = problems.some((p) => p.denied);
        src_core/* warning */.$e(`Could not read the scanning configuration (${problems.map((p) => p.message).join('; ')}).` +
            (denied
                ? ' Grant ecr:GetRegistryScanningConfiguration and ecr:BatchGetRepositoryScanningConfiguration to let the gate know the scan mode before waiting.'
                : ''));
    }
    return decideScanMode(registry.ok ? registry.value : undefined, repo.ok ? repo.value : undefined, inputs.repository, inputs.region, pushed.repository?.imageScanningConfiguration?.scanOnPush);
}
function scanTypeOf(mode, results) {
    if (mode.kind === 'basic')
        return 'BASIC';
    if (mode.kind === 'enhanced')
        return 'ENHANCED';
    if (mode.kind === 'not-covered')
        return 'NONE';
    const seen = results.flatMap((r) => (r.kind === 'settled' && r.scanType ? [r.scanType] : []));
    if (seen.includes('ENHANCED'))
        return 'ENHANCED';
    if (seen.includes('BASIC') || results.some((r) => r.kind === 'settled'))
        return 'BASIC';
    return 'NONE';
}
function platformScans(targets, results) {
    return targets.map((t, i) => {
        const r = results[i];
        return {
            digest: t.digest,
            platform: t.platform,
            status: r === undefined ? 'UNKNOWN' : r.kind === 'failed' ? 'ERROR' : r.status,
            findings: r?.kind === 'settled' ? r.findings.length : 0,
        };
    });
}
function reportPaths(ctx) {
    const sarif = ctx.inputs.sarifFile;
    const dir = sarif ? external_node_path_.dirname(sarif) : ctx.env.RUNNER_TEMP || ctx.env.GITHUB_WORKSPACE || process.cwd();
    return sarif ? { sarif, report: external_node_path_.join(dir, REPORT_FILE) } : { report: external_node_path_.join(dir, REPORT_FILE) };
}
/**
 * Writes text given in chunks, 64 KiB at a time: the SARIF of 50,000 findings is never whole in
 * memory, and short-lived buffers keep the peak RSS down (npm run bench, 50k findings: 1 MiB
 * buffers ~318 MiB, 256 KiB ~300 MiB, 64 KiB ~274 MiB).
 */
async function writeFile(file, chunks) {
    try {
        await promises_.mkdir(external_node_path_.dirname(file), { recursive: true });
        const fh = await promises_.open(file, 'w');
        try {
            let buf = [];
            let size = 0;
            for (const c of chunks) {
                buf.push(c);
                size += c.length;
                if (size >= 1 << 16) {
                    await fh.write(buf.join(''));
                    buf = [];
                    size = 0;
                }
            }
            if (buf.length > 0)
                await fh.write(buf.join(''));
        }
        finally {
            await fh.close();
        }
        return true;
    }
    catch (err) {
        src_core/* warning */.$e(`Could not write ${file}: ${errorMessage(err)}`);
        return false;
    }
}
async function unavailable(ctx, plan, scanType, status, message, platforms, startedAt) {
    const fail = ctx.inputs.onScanUnavailable === 'fail';
    const gate = fail ? 'failed' : 'unavailable';
    src_core/* setOutput */.uH('scan-type', scanType);
    src_core/* setOutput */.uH('scan-status', status);
    src_core/* setOutput */.uH('gate', gate);
    const facts = {
        imageRef: ctx.pushed.imageRef,
        digest: ctx.pushed.digest,
        scanType,
        scanStatus: status,
        platforms,
        policy: plan.policy,
        today: new Date(ctx.clock()).toISOString().slice(0, 10),
        elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
    };
    // No SARIF: an empty one would tell code scanning "0 findings".
    const { report } = reportPaths(ctx);
    if (await writeFile(report, (0,reports/* reportChunks */.vn)(undefined, facts, gate, message)))
        src_core/* setOutput */.uH('report-file', report);
    const line = (0,reports/* unavailableLine */.tj)(status, message, fail);
    ctx.report.add(0, `### ${line.split(': ')[0]}\n\n${line.slice(line.indexOf(': ') + 2)}`);
    ctx.report.add(20, [
        '### Scan gate',
        '',
        '| | |',
        '|---|---|',
        `| Verdict | ${fail ? '❌ failed' : '⚠️ unavailable'}: no trustworthy findings |`,
        `| Scan | ${scanType}, status ${status} (waited ${facts.elapsedSeconds} s) |`,
        `| Image | \`${ctx.pushed.imageRef}\` |`,
    ].join('\n'));
    const digest = (0,github_digest/* digestWithoutFindings */.Fs)(gate, plan.policy.threshold, `${status}: ${message}`);
    if (fail)
        return { failure: `Scan gate: ${status}: ${message}`, digest };
    src_core/* warning */.$e(`Scan gate unavailable (${status}): ${message}`);
    return { digest };
}
async function decide(ctx, verdict, facts) {
    const gate = verdict.failed ? 'failed' : 'passed';
    src_core/* setOutput */.uH('scan-type', facts.scanType);
    src_core/* setOutput */.uH('scan-status', facts.scanStatus);
    for (const [k, v] of Object.entries((0,reports/* countOutputs */.wo)(verdict)))
        src_core/* setOutput */.uH(k, v);
    src_core/* setOutput */.uH('gate', gate);
    for (const e of verdict.expired) {
        src_core/* warning */.$e(`Ignore entry '${e.id}' (${e.source}) expired on ${e.until ?? ''}: it no longer ignores anything. Fix the finding, or renew the entry with a new until= date.`);
    }
    for (const e of verdict.unused)
        src_core/* notice */.lm(`Ignore entry '${e.id}' (${e.source}) matched no finding of ${facts.imageRef}: remove it if it is no longer needed.`);
    const paths = reportPaths(ctx);
    const [sarifOk, reportOk] = await Promise.all([
        paths.sarif
            ? writeFile(paths.sarif, (0,sarif/* sarifChunks */.gP)(verdict, { imageRef: facts.imageRef, artifactUri: 'Dockerfile', toolVersion: version/* VERSION */.x }))
            : Promise.resolve(false),
        writeFile(paths.report, (0,reports/* reportChunks */.vn)(verdict, facts, gate, '')),
    ]);
    if (sarifOk && paths.sarif)
        src_core/* setOutput */.uH('sarif-file', paths.sarif);
    if (reportOk)
        src_core/* setOutput */.uH('report-file', paths.report);
    const line = (0,reports/* verdictLine */.MT)(verdict, facts);
    src_core/* info */.pq(line);
    ctx.report.add(0, `### ${line}`);
    ctx.report.add(20, (0,reports/* gateSection */.Tx)(verdict, facts));
    for (const a of (0,reports/* annotations */.hk)(verdict, facts.imageRef))
        src_core/* error */.z3(a, { title: 'Vulnerability blocks the image' });
    const digest = (0,github_digest/* digestOfVerdict */.V6)(verdict, facts.policy.threshold);
    return verdict.failed ? { failure: line.replace(/^❌ /, ''), digest } : { digest };
}

;// CONCATENATED MODULE: ./src/governance/policy.ts
/**
 * ECR lifecycle policies as code: parse and validate the policy file locally (every problem, each
 * naming the rule and the field), and the canonical form used to compare it with the repository's
 * current policy. Pure: no I/O.
 */
/** ECR's limits on lifecyclePolicyText (aws-model LifecyclePolicyText). */
const POLICY_TEXT_MIN = 100;
const POLICY_TEXT_MAX = 30720;
/** At most four `*` per tagPatternList entry (ECR user guide). */
const MAX_WILDCARDS = 4;
/** rulePriority range accepted here. */
const PRIORITY_MIN = 1;
const PRIORITY_MAX = 999;
const TOP_KEYS = ['rules'];
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = [
    'tagStatus',
    'tagPrefixList',
    'tagPatternList',
    'countType',
    'countUnit',
    'countNumber',
];
const ACTION_KEYS = ['type'];
const TAG_STATUSES = ['tagged', 'untagged', 'any'];
const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePushed'];
/** Characters of an image tag (a prefix is a tag's start; a pattern adds `*`). */
const TAG_CHARS = /^[\w.-]+$/;
const PATTERN_CHARS = /^[\w.*-]+$/;
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
const isPositiveInt = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
/**
 * Parses and validates a lifecycle policy file. `label` names the file in messages. Each problem is
 * one line: `lifecycle-policy <file>: rule <n> (rulePriority <p>), field '<path>': <what> <expected>`.
 * On success `text` is what to send to ECR (the file as written when it fits ECR's limits).
 */
function checkLifecyclePolicy(raw, label) {
    const problems = [];
    const at = (where, message) => {
        problems.push(`Invalid input 'lifecycle-policy' (${label}): ${where}: ${message}`);
    };
    let doc;
    try {
        doc = JSON.parse(raw.replace(/^\uFEFF/, ''));
    }
    catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return {
            ok: false,
            problems: [
                `Invalid input 'lifecycle-policy' (${label}): not valid JSON (${why}). Expected an ECR lifecycle policy: {"rules": [...]}.`,
            ],
        };
    }
    if (!isObject(doc)) {
        at('top level', `${show(doc)} is not an object. Expected {"rules": [...]}.`);
        return { ok: false, problems };
    }
    for (const key of Object.keys(doc)) {
        if (!TOP_KEYS.includes(key))
            at(`field '${key}'`, `unknown field. Expected only "rules" at the top level.`);
    }
    const rules = doc.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
        at("field 'rules'", `${rules === undefined ? 'missing' : show(rules)}. Expected a non-empty list of rules.`);
        return { ok: false, problems };
    }
    const byPriority = new Map();
    const anyRules = [];
    rules.forEach((rule, i) => {
        const priority = isObject(rule) && isPositiveInt(rule.rulePriority) ? rule.rulePriority : undefined;
        const name = `rule ${i + 1}${priority !== undefined ? ` (rulePriority ${priority})` : ''}`;
        const field = (path, message) => at(`${name}, field '${path}'`, message);
        if (!isObject(rule)) {
            at(name, `${show(rule)} is not an object. Expected {"rulePriority", "selection", "action"}.`);
            return;
        }
        for (const key of Object.keys(rule)) {
            if (!RULE_KEYS.includes(key))
                field(key, `unknown field. Expected only ${RULE_KEYS.join(', ')}.`);
        }
        // rulePriority
        const p = rule.rulePriority;
        if (p === undefined)
            field('rulePriority', `missing. Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
        else if (typeof p !== 'number' || !Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
            field('rulePriority', `${show(p)}. Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
        }
        else {
            byPriority.set(p, [...(byPriority.get(p) ?? []), i + 1]);
        }
        // description
        if (rule.description !== undefined && typeof rule.description !== 'string') {
            field('description', `${show(rule.description)}. Expected a string.`);
        }
        // selection
        const sel = rule.selection;
        if (!isObject(sel)) {
            field('selection', `${sel === undefined ? 'missing' : show(sel)}. Expected {"tagStatus", "countType", "countNumber", ...}.`);
        }
        else {
            for (const key of Object.keys(sel)) {
                if (!SELECTION_KEYS.includes(key)) {
                    field(`selection.${key}`, `unknown field. Expected only ${SELECTION_KEYS.join(', ')}.`);
                }
            }
            const status = sel.tagStatus;
            if (!TAG_STATUSES.includes(status)) {
                field('selection.tagStatus', `${status === undefined ? 'missing' : show(status)}. Expected one of "tagged", "untagged", "any".`);
            }
            const hasPrefix = sel.tagPrefixList !== undefined;
            const hasPattern = sel.tagPatternList !== undefined;
            if (status === 'tagged') {
                if (!hasPrefix && !hasPattern) {
                    field('selection.tagStatus', `"tagged" needs "tagPrefixList" or "tagPatternList" (which tags the rule selects), e.g. "tagPrefixList": ["release-"].`);
                }
                else if (hasPrefix && hasPattern) {
                    field('selection.tagPatternList', `use either "tagPrefixList" or "tagPatternList" in one rule, not both.`);
                }
            }
            else if ((status === 'untagged' || status === 'any') && (hasPrefix || hasPattern)) {
                const which = hasPrefix ? 'tagPrefixList' : 'tagPatternList';
                field(`selection.${which}`, `not allowed with tagStatus "${status}". Remove it, or use tagStatus "tagged".`);
            }
            if (hasPrefix)
                checkTagList(sel.tagPrefixList, 'selection.tagPrefixList', false, field);
            if (hasPattern)
                checkTagList(sel.tagPatternList, 'selection.tagPatternList', true, field);
            const countType = sel.countType;
            if (!COUNT_TYPES.includes(countType)) {
                field('selection.countType', `${countType === undefined ? 'missing' : show(countType)}. Expected "imageCountMoreThan" or "sinceImagePushed".`);
            }
            if (countType === 'sinceImagePushed') {
                if (sel.countUnit === undefined) {
                    field('selection.countUnit', `missing: countType "sinceImagePushed" needs "countUnit": "days".`);
                }
                else if (sel.countUnit !== 'days') {
                    field('selection.countUnit', `${show(sel.countUnit)}. Expected "days".`);
                }
            }
            else if (countType === 'imageCountMoreThan' && sel.countUnit !== undefined) {
                field('selection.countUnit', `not allowed with countType "imageCountMoreThan" (it counts images, not days). Remove it.`);
            }
            const n = sel.countNumber;
            if (!isPositiveInt(n)) {
                field('selection.countNumber', `${n === undefined ? 'missing' : show(n)}. Expected a whole number of at least 1 (${countType === 'sinceImagePushed' ? 'days' : 'images to keep'}).`);
            }
            if (status === 'any')
                anyRules.push({ index: i + 1, priority: typeof p === 'number' ? p : undefined });
        }
        // action
        const action = rule.action;
        if (!isObject(action)) {
            field('action', `${action === undefined ? 'missing' : show(action)}. Expected {"type": "expire"}.`);
        }
        else {
            for (const key of Object.keys(action)) {
                if (!ACTION_KEYS.includes(key))
                    field(`action.${key}`, `unknown field. Expected only "type".`);
            }
            if (action.type !== 'expire') {
                field('action.type', `${action.type === undefined ? 'missing' : show(action.type)}. Expected "expire".`);
            }
        }
    });
    for (const [priority, where] of byPriority) {
        if (where.length > 1) {
            at(`rules ${where.join(' and ')}, field 'rulePriority'`, `${priority} is used ${where.length} times. Expected each rule to have its own rulePriority.`);
        }
    }
    if (anyRules.length > 1) {
        at(`rules ${anyRules.map((r) => r.index).join(' and ')}, field 'selection.tagStatus'`, `only one rule may have tagStatus "any".`);
    }
    const anyRule = anyRules[0];
    if (anyRules.length === 1 && anyRule?.priority !== undefined) {
        const highest = Math.max(...byPriority.keys());
        if (anyRule.priority < highest) {
            at(`rule ${anyRule.index} (rulePriority ${anyRule.priority}), field 'rulePriority'`, `a rule with tagStatus "any" must have the highest rulePriority (it is evaluated last); ${highest} is higher. Give it a number above ${highest}.`);
        }
    }
    if (problems.length > 0)
        return { ok: false, problems };
    const text = policyText(raw);
    if (text === undefined) {
        return {
            ok: false,
            problems: [
                `Invalid input 'lifecycle-policy' (${label}): the policy is ${raw.length} characters; ECR accepts at most ${POLICY_TEXT_MAX}. Remove rules or descriptions.`,
            ],
        };
    }
    return { ok: true, policy: doc, text };
}
function checkTagList(list, path, pattern, field) {
    const what = pattern
        ? 'tag patterns (letters, digits, _ . - and up to 4 *)'
        : 'tag prefixes (letters, digits, _ . -)';
    if (!Array.isArray(list) || list.length === 0) {
        field(path, `${show(list)}. Expected a non-empty list of ${what}.`);
        return;
    }
    list.forEach((entry, j) => {
        const p = `${path}[${j}]`;
        if (typeof entry !== 'string' || entry === '')
            field(p, `${show(entry)}. Expected one of the ${what}.`);
        else if (!(pattern ? PATTERN_CHARS : TAG_CHARS).test(entry))
            field(p, `${show(entry)}. Expected ${what}.`);
        else if (pattern && (entry.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS) {
            field(p, `${show(entry)} has more than ${MAX_WILDCARDS} wildcards (*); ECR allows at most ${MAX_WILDCARDS}.`);
        }
    });
}
/** The text to send: the file as written, or compact JSON when that is too long; undefined: too long anyway. */
function policyText(raw) {
    const trimmed = raw.replace(/^\uFEFF/, '').trim();
    if (trimmed.length <= POLICY_TEXT_MAX && trimmed.length >= POLICY_TEXT_MIN)
        return trimmed;
    const compact = JSON.stringify(JSON.parse(trimmed));
    if (compact.length > POLICY_TEXT_MAX)
        return undefined;
    // Shorter than ECR's minimum (cannot happen for a valid policy, but keep the send valid).
    return compact.length >= POLICY_TEXT_MIN ? compact : JSON.stringify(JSON.parse(trimmed), null, 2);
}
/** JSON with object keys sorted and no whitespace: two policies are the same when this is. */
function canonicalJson(value) {
    if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
    if (isObject(value)) {
        const keys = Object.keys(value)
            .filter((k) => value[k] !== undefined)
            .sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
}
/**
 * The canonical form of a policy text, for comparison; undefined when the text is not JSON (a
 * policy ECR holds is always JSON, so this means "different").
 */
function normalizePolicyText(text) {
    try {
        return canonicalJson(JSON.parse(text));
    }
    catch {
        return undefined;
    }
}
/** Whether the repository's current policy (undefined: none) already is the desired one. */
function samePolicy(current, desired) {
    if (current === undefined)
        return false;
    const a = normalizePolicyText(current);
    return a !== undefined && a === normalizePolicyText(desired);
}
/** Rules in evaluation order (lowest rulePriority first). */
function rulesInOrder(policy) {
    return [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
}
/** One line describing what a rule selects and expires, for the summary. */
function describeRule(rule) {
    const s = rule.selection;
    const which = s.tagStatus === 'untagged'
        ? 'untagged images'
        : s.tagStatus === 'any'
            ? 'all images'
            : s.tagPrefixList
                ? `images tagged ${s.tagPrefixList.map((t) => `${t}*`).join(' + ')}`
                : `images tagged ${(s.tagPatternList ?? []).join(' + ')}`;
    const when = s.countType === 'imageCountMoreThan'
        ? `beyond the newest ${s.countNumber}`
        : `pushed more than ${s.countNumber} day${s.countNumber === 1 ? '' : 's'} ago`;
    return `expire ${which} ${when}`;
}

;// CONCATENATED MODULE: ./src/governance/aws.ts




/**
 * CreateRepository. RepositoryAlreadyExistsException (another job created it a moment ago) is
 * success: the repository is then read back. A denied ecr:TagResource (needed for tags on create)
 * creates it without tags.
 */
async function createRepositoryCall(ecr, request, describe) {
    const { CreateRepositoryCommand } = await ecrSdk();
    const attempt = async (tags) => {
        const { tags: tagList, ...rest } = request;
        try {
            const out = await ecr.send(new CreateRepositoryCommand(tags && tagList.length > 0 ? request : rest));
            if (!out.repository)
                throw new Error('CreateRepository answered without the repository');
            return { repository: out.repository, origin: 'created', untagged: !tags };
        }
        catch (err) {
            const name = errorName(err);
            if (name === 'RepositoryAlreadyExistsException') {
                const repository = await describe();
                if (!repository)
                    throw err;
                return { repository, origin: 'concurrent', untagged: false };
            }
            if (tags &&
                name === 'AccessDeniedException' &&
                /ecr:TagResource/.test(String(err.message))) {
                return attempt(false);
            }
            throw err;
        }
    };
    return attempt(true);
}
/** The repository's lifecycle policy text, or undefined when it has none. */
async function getLifecyclePolicy(ecr, repositoryName, registryId) {
    const { GetLifecyclePolicyCommand } = await ecrSdk();
    try {
        const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName, registryId }));
        return out.lifecyclePolicyText;
    }
    catch (err) {
        if (errorName(err) === 'LifecyclePolicyNotFoundException')
            return undefined;
        throw err;
    }
}
async function putLifecyclePolicy(ecr, repositoryName, registryId, lifecyclePolicyText) {
    const { PutLifecyclePolicyCommand } = await ecrSdk();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, registryId, lifecyclePolicyText }));
}
/** The caller's registry scanning configuration; 'denied' when the role may not read it. */
async function getRegistryScanning(ecr, read = registryScanningOnce(ecr)) {
    try {
        const out = await read();
        return out.scanningConfiguration ?? {};
    }
    catch (err) {
        if (errorName(err) === 'AccessDeniedException')
            return 'denied';
        throw err;
    }
}
/**
 * StartLifecyclePolicyPreview with the policy text, then GetLifecyclePolicyPreview until it leaves
 * IN_PROGRESS (bounded by `timeoutMs`), every page of results.
 */
async function runLifecyclePreview(ecr, repositoryName, registryId, lifecyclePolicyText, opts) {
    const { StartLifecyclePolicyPreviewCommand, GetLifecyclePolicyPreviewCommand } = await ecrSdk();
    const started = opts.clock();
    const timeout = (what) => ({
        status: 'TIMEOUT',
        detail: `${what} after ${Math.round((opts.clock() - started) / 1000)} s`,
    });
    const wait = async () => {
        if (opts.clock() - started + opts.pollMs > opts.timeoutMs)
            return false;
        await opts.sleep(opts.pollMs);
        return true;
    };
    // Only one preview runs per repository at a time: another job's may be under way.
    for (;;) {
        try {
            await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName, registryId, lifecyclePolicyText }));
            break;
        }
        catch (err) {
            if (errorName(err) !== 'LifecyclePolicyPreviewInProgressException')
                throw err;
            if (!(await wait()))
                return timeout('another preview of this repository was still running');
        }
    }
    const wanted = normalizePolicyText(lifecyclePolicyText);
    for (;;) {
        let out;
        try {
            out = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, registryId, maxResults: 100 }));
        }
        catch (err) {
            if (errorName(err) !== 'LifecyclePolicyPreviewNotFoundException')
                throw err;
            out = undefined;
        }
        if (out?.lifecyclePolicyText !== undefined && normalizePolicyText(out.lifecyclePolicyText) !== wanted) {
            return { status: 'REPLACED', detail: 'another job started a preview of a different policy meanwhile' };
        }
        const status = out?.status ?? 'IN_PROGRESS';
        if (status === 'FAILED' || status === 'EXPIRED') {
            return { status, detail: `ECR reports the preview ${status}` };
        }
        if (status === 'COMPLETE' && out) {
            const results = [...(out.previewResults ?? [])];
            let token = out.nextToken;
            while (token) {
                const page = await ecr.send(new GetLifecyclePolicyPreviewCommand({
                    repositoryName,
                    registryId,
                    maxResults: 100,
                    nextToken: token,
                }));
                results.push(...(page.previewResults ?? []));
                token = page.nextToken;
            }
            return { status: 'COMPLETE', results };
        }
        if (!(await wait()))
            return timeout('the preview was still in progress');
    }
}

;// CONCATENATED MODULE: ./src/governance/preview.ts
/**
 * The lifecycle preview: what each rule would expire, from GetLifecyclePolicyPreview's results.
 * Pure: no I/O.
 */

/** Groups the preview's results by the rule that expires each image, in the policy's rule order. */
function summarizePreview(policy, results) {
    const rules = rulesInOrder(policy).map((r) => ({
        rulePriority: r.rulePriority,
        description: r.description?.trim() || describeRule(r),
        count: 0,
        tags: [],
        untagged: 0,
    }));
    const seen = new Set();
    let total = 0;
    for (const r of results) {
        if (r.action?.type !== undefined && r.action.type.toUpperCase() !== 'EXPIRE')
            continue;
        const key = r.imageDigest ?? `#${total}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        total++;
        let rule = rules.find((x) => x.rulePriority === r.appliedRulePriority);
        if (!rule) {
            rule = {
                rulePriority: r.appliedRulePriority ?? 0,
                description: 'a rule not in the policy file',
                count: 0,
                tags: [],
                untagged: 0,
            };
            rules.push(rule);
        }
        rule.count++;
        const tags = r.imageTags ?? [];
        if (tags.length === 0)
            rule.untagged++;
        rule.tags.push(...tags);
    }
    for (const r of rules)
        r.tags = [...new Set(r.tags)].sort();
    return { total, rules };
}

;// CONCATENATED MODULE: ./src/governance/section.ts
/** The governance section of the job summary. Pure: data in, markdown out. */

const MAX_TAGS = 20;
const ORIGIN = {
    created: 'created by this run',
    concurrent: 'created by another job at the same time (this run found it already there)',
    existing: 'existing (settings reported, not changed)',
};
function governanceSection(r) {
    const code = (s) => `\`${(0,src_report/* cell */.H)(s)}\``;
    const lines = [
        '### Repository governance',
        '',
        '| | |',
        '|---|---|',
        `| Repository | ${code(r.repository)}: ${ORIGIN[r.origin]} |`,
        `| Scan on push | ${r.scanOnPush === 'off' ? '**off**' : (0,src_report/* cell */.H)(r.scanOnPush)} |`,
        `| Tag mutability | ${(0,src_report/* cell */.H)(r.mutability)} |`,
        `| Encryption | ${(0,src_report/* cell */.H)(r.encryption)} |`,
        `| Enhanced scanning covers it | ${(0,src_report/* cell */.H)(r.enhanced)} |`,
        `| Lifecycle policy | ${policyCell(r.policy)} |`,
    ];
    if (r.differences.length > 0) {
        lines.push('', `> The repository differs from the inputs (not changed by this action): ${r.differences.map(src_report/* cell */.H).join('; ')}.`);
    }
    if (r.movingTags.length > 0) {
        lines.push('', `> Mutable tag${r.movingTags.length === 1 ? '' : 's'} ${r.movingTags.map(code).join(', ')} ` +
            `${r.movingTags.length === 1 ? 'is' : 'are'} not unique to this build and move${r.movingTags.length === 1 ? 's' : ''} with every push: ` +
            'deploy the digest-pinned image reference.');
    }
    const preview = previewMarkdown(r.preview);
    if (preview)
        lines.push('', preview);
    return lines.join('\n');
}
function policyCell(p) {
    switch (p.kind) {
        case 'none':
            return 'not managed by this step (no `lifecycle-policy` input)';
        case 'applied':
            return `applied from \`${(0,src_report/* cell */.H)(p.file)}\` (${p.replaced ? 'replaced a different policy' : 'the repository had none'})`;
        case 'unchanged':
            return `unchanged: the repository already has \`${(0,src_report/* cell */.H)(p.file)}\``;
        case 'failed':
            return `**not applied** (\`${(0,src_report/* cell */.H)(p.file)}\`): ${(0,src_report/* cell */.H)(p.reason)}`;
    }
}
function previewMarkdown(p) {
    if (p.kind === 'skipped')
        return undefined;
    if (p.kind === 'unavailable')
        return `**Lifecycle preview:** unavailable: ${(0,src_report/* cell */.H)(p.reason)}`;
    const { summary } = p;
    const lines = [
        `**Lifecycle preview:** ${summary.total === 0 ? 'nothing would expire now' : `${summary.total} image${summary.total === 1 ? '' : 's'} would expire now`}`,
        '',
        '| Rule | What it does | Would expire | Tags |',
        '|---|---|---|---|',
    ];
    for (const rule of summary.rules) {
        const shown = rule.tags.slice(0, MAX_TAGS).map((t) => `\`${(0,src_report/* cell */.H)(t)}\``);
        if (rule.tags.length > MAX_TAGS)
            shown.push(`… and ${rule.tags.length - MAX_TAGS} more`);
        const count = rule.untagged > 0 ? `${rule.count} (${rule.untagged} untagged)` : String(rule.count);
        lines.push(`| ${rule.rulePriority} | ${(0,src_report/* cell */.H)(rule.description)} | ${count} | ${shown.join(', ') || '–'} |`);
    }
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/governance/settings.ts
/** AWS tag values: letters, digits, spaces and _ . : / = + - @, up to 256 characters. */
const TAG_VALUE_BAD = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
function tagValue(raw) {
    return raw.replace(TAG_VALUE_BAD, '_').slice(0, 256);
}
/** Tags naming the workflow that created the repository (from the runner's GITHUB_* env). */
function creationTags(env) {
    const repo = env.GITHUB_REPOSITORY || 'unknown';
    const workflow = env.GITHUB_WORKFLOW || 'unknown';
    const tags = [{ Key: 'created-by', Value: tagValue(`${repo}/${workflow}`) }];
    if (env.GITHUB_RUN_ID) {
        const server = env.GITHUB_SERVER_URL || 'https://github.com';
        tags.push({
            Key: 'created-by-run',
            Value: tagValue(`${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`),
        });
    }
    return tags;
}
function createRepositoryRequest(inputs, registryId, env) {
    return {
        repositoryName: inputs.repository,
        registryId,
        imageTagMutability: inputs.imageTagMutability,
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: {
            encryptionType: inputs.encryption,
            ...(inputs.encryption === 'KMS' && inputs.kmsKey !== undefined ? { kmsKey: inputs.kmsKey } : {}),
        },
        tags: creationTags(env),
    };
}
/**
 * How an existing repository differs from what the inputs would create. Only meaningful with
 * `create-repository: true` (the inputs then state the wanted settings); never acted on.
 */
function settingsDifferences(repo, inputs) {
    const out = [];
    const mutability = repo.imageTagMutability ?? 'MUTABLE';
    if (mutability !== inputs.imageTagMutability) {
        out.push(`tag mutability is ${mutability}, image-tag-mutability asks for ${inputs.imageTagMutability}`);
    }
    if (repo.imageScanningConfiguration?.scanOnPush !== true) {
        out.push('scan-on-push is off (a created repository has it on)');
    }
    const enc = repo.encryptionConfiguration?.encryptionType ?? 'AES256';
    if (enc !== inputs.encryption) {
        out.push(`encryption is ${enc}, encryption asks for ${inputs.encryption}`);
    }
    else if (inputs.encryption === 'KMS' &&
        inputs.kmsKey !== undefined &&
        !kmsKeyMatches(repo.encryptionConfiguration?.kmsKey, inputs.kmsKey)) {
        out.push(`the KMS key is ${repo.encryptionConfiguration?.kmsKey ?? 'the AWS managed key'}, kms-key asks for ${inputs.kmsKey}`);
    }
    return out;
}
/** A key ARN, alias ARN, alias name or key ID: equal when one ends with the other's ID part. */
function kmsKeyMatches(actual, wanted) {
    if (actual === undefined)
        return false;
    if (actual === wanted)
        return true;
    const id = (k) => k.replace(/^arn:[^:]+:kms:[^:]*:\d*:/, '').replace(/^key\//, '');
    return id(actual) === id(wanted);
}
/** `*` wildcard match of the whole string (ECR's WILDCARD filters). */
function wildcardMatch(pattern, value) {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    return re.test(value);
}
function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/** Whether the registry's enhanced scanning covers the repository, as one phrase. */
function enhancedCoverage(config, repository) {
    if (config === 'denied')
        return 'unknown (ecr:GetRegistryScanningConfiguration denied)';
    if (config === 'other-registry')
        return 'unknown (the registry belongs to another account)';
    if (config.scanType !== 'ENHANCED')
        return `no (registry scanning is ${config.scanType ?? 'BASIC'})`;
    for (const rule of config.rules ?? []) {
        const match = (rule.repositoryFilters ?? []).find((f) => f.filter !== undefined &&
            (f.filterType ?? 'WILDCARD') === 'WILDCARD' &&
            wildcardMatch(f.filter, repository));
        if (match && rule.scanFrequency !== undefined && rule.scanFrequency !== 'MANUAL') {
            return `yes (${rule.scanFrequency}, filter \`${match.filter}\`)`;
        }
    }
    return 'no (ENHANCED, but no scan-on-push or continuous rule matches this repository: it is never scanned)';
}
/** Whether a tag can be moved to another image in a repository with these settings. */
function tagIsMutable(repo, tag) {
    const mode = repo.imageTagMutability ?? 'MUTABLE';
    const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => f.filter !== undefined && wildcardMatch(f.filter, tag));
    if (mode === 'MUTABLE')
        return true;
    if (mode === 'IMMUTABLE')
        return false;
    if (mode === 'MUTABLE_WITH_EXCLUSION')
        return !excluded;
    if (mode === 'IMMUTABLE_WITH_EXCLUSION')
        return excluded;
    return true;
}
/**
 * A tag is taken to name one image for good when it is derived from the commit (a run of 7 to 64 hex
 * digits with both digits and letters, e.g. the SHA or `sha-abc1234`, or the start of the run's
 * GITHUB_SHA), carries a date or build stamp (a run of 8 or more digits, e.g. `20240501` or
 * `build-20240501.3`), or is a full semantic version (`1.4.2`, `v2.0.0-rc.1`). Anything else
 * (`latest`, `main`, `stable`, `v1`, `1.4`, `pr-42`) is expected to move to another image on a later
 * push.
 */
function isMovingTag(tag, sha) {
    const lower = tag.toLowerCase();
    if (sha !== undefined && sha.length >= 7 && lower.includes(sha.slice(0, 7).toLowerCase()))
        return false;
    for (const run of lower.match(/[0-9a-f]+/g) ?? []) {
        if (run.length >= 7 && run.length <= 64 && /[0-9]/.test(run) && /[a-f]/.test(run))
            return false;
        if (/^[0-9]{8,}$/.test(run))
            return false;
    }
    if (/^v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/i.test(tag))
        return false;
    return true;
}
/** Pushed tags that move and that the repository lets move: the ones to warn about. */
function reusedTags(repo, tags, sha) {
    return tags.filter((t) => isMovingTag(t, sha) && tagIsMutable(repo, t));
}
function describeEncryption(repo) {
    const e = repo.encryptionConfiguration;
    const type = e?.encryptionType ?? 'AES256';
    if (type === 'AES256')
        return 'AES256 (S3-managed keys)';
    return e?.kmsKey ? `${type} (${e.kmsKey})` : `${type} (AWS managed key aws/ecr)`;
}
function describeMutability(repo) {
    const mode = repo.imageTagMutability ?? 'MUTABLE';
    const filters = (repo.imageTagMutabilityExclusionFilters ?? []).flatMap((f) => (f.filter ? [f.filter] : []));
    return filters.length > 0 ? `${mode} (except ${filters.map((f) => `\`${f}\``).join(', ')})` : mode;
}

;// CONCATENATED MODULE: ./src/governance/index.ts









/** Bounded wait for the lifecycle preview. */
const PREVIEW_TIMEOUT_MS = 60_000;
const PREVIEW_POLL_MS = 2_000;
/** Reads and validates the lifecycle policy file: every problem, before any network call. */
async function prepareGovernance(ctx) {
    const file = ctx.inputs.lifecyclePolicy;
    if (file === undefined)
        return {};
    const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd();
    const rel = external_node_path_.relative(workspace, file);
    const label = rel === '' || rel.startsWith('..') || external_node_path_.isAbsolute(rel) ? file : rel;
    const { readFile } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1455, 23));
    let raw;
    try {
        raw = await readFile(file, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new InputError([
            code === 'ENOENT'
                ? `Invalid input 'lifecycle-policy': ${label} does not exist (looked in ${file}). Expected the path of a lifecycle policy JSON in the workspace, e.g. .github/ecr-lifecycle.json; check out the repository first (actions/checkout).`
                : `Invalid input 'lifecycle-policy': cannot read ${label} (${errorMessage(err)}). Expected a readable lifecycle policy JSON file.`,
        ]);
    }
    const checked = checkLifecyclePolicy(raw, label);
    if (!checked.ok)
        throw new InputError(checked.problems);
    src_core/* debug */.Yz(`lifecycle policy ${label}: ${checked.policy.rules.length} rule(s), valid`);
    return { lifecyclePolicy: { file: label, policy: checked.policy, text: checked.text } };
}
/** How each repository object push.ts got from createRepository came to be. */
const origins = new WeakMap();
/** Called when the repository does not exist and 'create-repository' is true. */
async function createRepository(inputs, ecr, registryId, env) {
    const arn = `arn:aws:ecr:${inputs.region}:${registryId}:repository/${inputs.repository}`;
    const request = createRepositoryRequest(inputs, registryId, env);
    let created;
    try {
        created = await createRepositoryCall(ecr, request, () => findRepository(ecr, inputs.repository, registryId));
    }
    catch (err) {
        throw explainCreateError(err, inputs, arn);
    }
    origins.set(created.repository, created.origin);
    if (created.origin === 'concurrent') {
        src_core/* info */.pq(`Repository ${inputs.repository} was created by another job meanwhile: using it as it is`);
    }
    else {
        const enc = request.encryptionConfiguration;
        src_core/* info */.pq(`Created repository ${inputs.repository} in registry ${registryId} (scan-on-push on, tags ${request.imageTagMutability}, ` +
            `encryption ${enc.encryptionType}${enc.kmsKey ? ` ${enc.kmsKey}` : ''})`);
    }
    if (created.untagged) {
        src_core/* warning */.$e(`Created repository ${inputs.repository} without the created-by tags: ecr:TagResource was denied. ` +
            `Grant ecr:TagResource on ${arn} to tag repositories with the workflow that created them.`);
    }
    return created.repository;
}
function explainCreateError(err, inputs, arn) {
    const name = errorName(err);
    const msg = errorMessage(err);
    if (name === 'AccessDeniedException') {
        return new ActionError(`ecr:CreateRepository was denied: ${msg}. Grant ecr:CreateRepository (and ecr:TagResource) on ${arn}, ` +
            `or create the repository once outside the workflow and drop 'create-repository'.`);
    }
    if (name === 'KmsException') {
        return new ActionError(`Could not create repository ${inputs.repository} with KMS encryption: ${msg}. ` +
            `Check 'kms-key' (a key ID, ARN or alias in ${inputs.region}) and that the role may use it (kms:CreateGrant, kms:DescribeKey).`);
    }
    if (name === 'InvalidParameterException' ||
        name === 'InvalidTagParameterException' ||
        name === 'TooManyTagsException') {
        return new ActionError(`ECR refused to create repository ${inputs.repository}: ${msg}`);
    }
    if (name === 'LimitExceededException') {
        return new ActionError(`ECR refused to create repository ${inputs.repository}: ${msg}. The registry is at its repository quota; ` +
            'delete unused repositories or ask AWS for a higher quota.');
    }
    return explainEcrError('ecr:CreateRepository', err, arn);
}
/** After the push: lifecycle policy as code, preview, governance section of the summary. */
async function runGovernance(ctx, plan) {
    const { inputs, pushed } = ctx;
    // undefined: the role may not call DescribeRepositories (push.ts warned already).
    const repo = pushed.repository;
    const origin = (repo && origins.get(repo)) ?? 'existing';
    const repositoryArn = repo?.repositoryArn ?? `arn:aws:ecr:${inputs.region}:${pushed.registryId}:repository/${inputs.repository}`;
    // Settings of an existing repository are reported, never changed.
    const differences = repo && inputs.createRepository && origin !== 'created' ? settingsDifferences(repo, inputs) : [];
    if (differences.length > 0) {
        src_core/* notice */.lm(`Repository ${inputs.repository} exists with other settings than the inputs ask for: ${differences.join('; ')}. ` +
            'This action does not change an existing repository: change it in the console or with the AWS CLI if wanted.');
    }
    const [enhanced, lifecycle] = await Promise.all([
        scanningCoverage(ctx),
        plan.lifecyclePolicy ? applyLifecyclePolicy(ctx, plan.lifecyclePolicy, repositoryArn) : undefined,
    ]);
    // Tags that move to this image and that the repository lets move: honest about what is known
    // (whether the tag pointed elsewhere before is not, after the push); see docs/governance.md.
    const movingTags = repo ? reusedTags(repo, pushed.tags, ctx.env.GITHUB_SHA) : [];
    if (repo && movingTags.length > 0) {
        const one = movingTags.length === 1;
        const list = movingTags.map((t) => `'${t}'`).join(', ');
        src_core/* warning */.$e(`Tag${one ? '' : 's'} ${list} in ${inputs.repository} ${one ? 'is' : 'are'} mutable (${describeMutability(repo)}) and not unique ` +
            `to this build: any push moves ${one ? 'it' : 'them'} to another image, so ${one ? 'it' : 'they'} may name something else by the time ` +
            `you deploy. Deploy the digest-pinned image-ref output (${pushed.imageRef}) instead.`);
    }
    const unknown = 'unknown (ecr:DescribeRepositories denied)';
    ctx.report.add(30, governanceSection({
        repository: inputs.repository,
        origin,
        scanOnPush: repo ? (repo.imageScanningConfiguration?.scanOnPush === true ? 'on' : 'off') : unknown,
        mutability: repo ? describeMutability(repo) : unknown,
        encryption: repo ? describeEncryption(repo) : unknown,
        enhanced,
        differences,
        policy: lifecycle?.policy ?? { kind: 'none' },
        preview: lifecycle?.preview ?? { kind: 'skipped' },
        movingTags,
    }));
    return lifecycle?.failure ? { failure: lifecycle.failure } : {};
}
async function scanningCoverage(ctx) {
    const { pushed, inputs } = ctx;
    // GetRegistryScanningConfiguration reads the caller's own registry only.
    if (pushed.registryId !== pushed.identity.account)
        return enhancedCoverage('other-registry', inputs.repository);
    try {
        return enhancedCoverage(await getRegistryScanning(pushed.ecr, pushed.registryScanning), inputs.repository);
    }
    catch (err) {
        src_core/* debug */.Yz(`GetRegistryScanningConfiguration: ${errorMessage(err)}`);
        return `unknown (${errorName(err) || errorMessage(err)})`;
    }
}
async function applyLifecyclePolicy(ctx, desired, repositoryArn) {
    const { pushed, inputs } = ctx;
    const { file, text, policy } = desired;
    const failed = (reason, failure) => ({
        policy: { kind: 'failed', file, reason },
        preview: { kind: 'skipped' },
        failure,
    });
    let current;
    try {
        current = await getLifecyclePolicy(pushed.ecr, inputs.repository, pushed.registryId);
    }
    catch (err) {
        const e = explainEcrError('ecr:GetLifecyclePolicy', err, repositoryArn);
        return failed('the current policy could not be read', e.message);
    }
    let state;
    if (samePolicy(current, text)) {
        src_core/* info */.pq(`Lifecycle policy of ${inputs.repository} unchanged (${file})`);
        state = { kind: 'unchanged', file };
    }
    else {
        try {
            await putLifecyclePolicy(pushed.ecr, inputs.repository, pushed.registryId, text);
        }
        catch (err) {
            const name = errorName(err);
            if (name === 'InvalidParameterException' || name === 'ValidationException') {
                return failed(`ECR rejected it: ${errorMessage(err)}`, `ECR rejected the lifecycle policy in ${file}: ${errorMessage(err)}. Fix the file and re-run.`);
            }
            const e = explainEcrError('ecr:PutLifecyclePolicy', err, repositoryArn);
            return failed('it could not be written', e.message);
        }
        src_core/* info */.pq(`Applied lifecycle policy ${file} to ${inputs.repository}${current === undefined ? '' : ' (replaced a different policy)'}`);
        state = { kind: 'applied', file, replaced: current !== undefined };
    }
    let preview;
    try {
        const outcome = await runLifecyclePreview(pushed.ecr, inputs.repository, pushed.registryId, text, {
            sleep: ctx.sleep,
            clock: ctx.clock,
            timeoutMs: PREVIEW_TIMEOUT_MS,
            pollMs: PREVIEW_POLL_MS,
        });
        if (outcome.status === 'COMPLETE') {
            preview = { kind: 'done', summary: summarizePreview(policy, outcome.results) };
            src_core/* info */.pq(`Lifecycle preview: ${preview.summary.total} image(s) would expire`);
        }
        else {
            preview = { kind: 'unavailable', reason: outcome.detail };
            src_core/* warning */.$e(`Lifecycle preview of ${inputs.repository} unavailable: ${outcome.detail}.`);
        }
    }
    catch (err) {
        const name = errorName(err);
        const reason = name === 'AccessDeniedException'
            ? 'ecr:StartLifecyclePolicyPreview / ecr:GetLifecyclePolicyPreview denied'
            : `${name ? `${name}: ` : ''}${errorMessage(err)}`;
        preview = { kind: 'unavailable', reason };
        src_core/* warning */.$e(`Lifecycle preview of ${inputs.repository} unavailable: ${reason}. The policy itself is ${state.kind}.`);
    }
    return { policy: state, preview };
}

;// CONCATENATED MODULE: ./src/inputs.ts




const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const REGION = /^[a-z]{2,4}(?:-[a-z0-9]+)*-[a-z]+-\d{1,2}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** ECR's repositoryName pattern (aws-model), 2–256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker's tag grammar, as ECR accepts it (1–300 characters for ECR, 128 for docker). */
const TAG = /^[\w][\w.-]{0,127}$/;
/** A local image reference: [host[:port]/]name[:tag][@digest], or an image ID (full or short). */
const IMAGE_REF = /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/;
/** Splits a list input on newlines and commas, trimming and dropping blanks. */
function splitList(raw) {
    return raw
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
/** Builds Inputs from raw values, collecting every problem before failing. Pure: no I/O. */
function parseInputs(get, env = {}) {
    const problems = [];
    const bad = (name, value, expected) => {
        problems.push(`Invalid input '${name}': '${value}'. Expected ${expected}.`);
    };
    const raw = (name) => get(name).trim();
    const bool = (name, dflt) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        if (TRUE.includes(v))
            return true;
        if (FALSE.includes(v))
            return false;
        bad(name, v, 'true or false');
        return dflt;
    };
    const int = (name, dflt, min, max) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
            bad(name, v, `a whole number of seconds from ${min} to ${max}`);
            return dflt;
        }
        return Number(v);
    };
    const oneOf = (name, dflt, allowed, caseless = true) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        const found = allowed.find((a) => (caseless ? a.toLowerCase() === v.toLowerCase() : a === v));
        if (found === undefined)
            bad(name, v, `one of ${allowed.join(', ')}`);
        return found ?? dflt;
    };
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const filePath = (name) => {
        const v = raw(name);
        if (v === '')
            return undefined;
        if (v.includes('\0')) {
            bad(name, v, 'a file path');
            return undefined;
        }
        return external_node_path_.resolve(workspace, v);
    };
    // --- Credentials ---
    const roleToAssume = raw('role-to-assume');
    if (roleToAssume !== '' && !ROLE_ARN.test(roleToAssume)) {
        bad('role-to-assume', roleToAssume, 'an IAM role ARN like arn:aws:iam::123456789012:role/github-ecr-push');
    }
    let region = raw('aws-region') || (env.AWS_REGION ?? '').trim() || (env.AWS_DEFAULT_REGION ?? '').trim();
    if (region === '') {
        problems.push("Missing input 'aws-region': set it (e.g. aws-region: us-east-1) or the AWS_REGION environment variable.");
    }
    else if (!REGION.test(region)) {
        bad('aws-region', region, 'an AWS region code like us-east-1');
        region = '';
    }
    const audience = raw('audience') || 'sts.amazonaws.com';
    const runId = env.GITHUB_RUN_ID ?? '0';
    const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1';
    const roleSessionName = raw('role-session-name') || `GitHubActions-${runId}-${runAttempt}`.slice(0, 64);
    if (!SESSION_NAME.test(roleSessionName)) {
        bad('role-session-name', roleSessionName, '2 to 64 characters of letters, digits and +=,.@_-');
    }
    const roleDurationSeconds = int('role-duration-seconds', 3600, 900, 43200);
    const allowedAccountIds = splitList(raw('allowed-account-ids'));
    for (const id of allowedAccountIds) {
        if (!ACCOUNT_ID.test(id))
            bad('allowed-account-ids', id, 'comma-separated 12-digit AWS account IDs');
    }
    // --- Push ---
    const image = raw('image');
    if (image === '')
        problems.push("Missing input 'image': the local image to push, e.g. widget:ci.");
    else if (!IMAGE_REF.test(image) && !IMAGE_ID.test(image)) {
        bad('image', image, 'a local image reference like widget:ci or an image ID');
    }
    const repository = raw('repository');
    if (repository === '')
        problems.push("Missing input 'repository': the ECR repository name, e.g. acme/widget.");
    else if (repository.length < 2 || repository.length > 256 || !REPOSITORY_NAME.test(repository)) {
        bad('repository', repository, 'an ECR repository name: 2-256 lowercase letters, digits and . _ - separated by /, e.g. acme/widget');
    }
    const tags = [...new Set(splitList(get('tags')))];
    if (tags.length === 0) {
        problems.push("Missing input 'tags': at least one tag, e.g. ${{ github.sha }}.");
    }
    for (const t of tags) {
        if (!TAG.test(t))
            bad('tags', t, 'tags of letters, digits, _ . - (at most 128, not starting with . or -)');
    }
    if (tags.length > 100)
        bad('tags', `${tags.length} tags`, 'at most 100 tags');
    const registryId = raw('registry-id');
    if (registryId !== '' && !ACCOUNT_ID.test(registryId)) {
        bad('registry-id', registryId, 'the 12-digit account ID that owns the registry');
    }
    const keepLogin = bool('keep-login', false);
    // --- Repository governance ---
    const createRepository = bool('create-repository', false);
    const imageTagMutability = oneOf('image-tag-mutability', 'MUTABLE', ['MUTABLE', 'IMMUTABLE']);
    const encryption = oneOf('encryption', 'AES256', ['AES256', 'KMS']);
    const kmsKey = raw('kms-key');
    if (kmsKey !== '' && encryption !== 'KMS') {
        bad('kms-key', kmsKey, "to be set only with 'encryption: KMS'");
    }
    const lifecyclePolicy = filePath('lifecycle-policy');
    // --- Scan gate ---
    const waitForScan = bool('wait-for-scan', true);
    const scanTimeoutSeconds = int('scan-timeout-seconds', 900, 1, 21600);
    const scanSettleSeconds = int('scan-settle-seconds', 20, 0, 3600);
    const severityThreshold = oneOf('severity-threshold', 'HIGH', severity/* THRESHOLDS */.Rm);
    const ignore = get('ignore');
    const ignoreFile = filePath('ignore-file');
    const onlyFixable = bool('only-fixable', false);
    const onScanUnavailable = oneOf('on-scan-unavailable', 'fail', ['fail', 'warn']);
    const sarifFile = filePath('sarif-file');
    const summary = bool('summary', true);
    const prComment = bool('pr-comment', false);
    // Checked only when used; never echoed in an error: it is a credential.
    const githubToken = raw('github-token');
    if (prComment && /[^\x21-\x7e]/.test(githubToken)) {
        problems.push("Invalid input 'github-token': it holds whitespace or control characters. Expected a GitHub token, e.g. ${{ github.token }}.");
    }
    else if (prComment && githubToken === '') {
        problems.push("Missing input 'github-token': 'pr-comment: true' needs a token with pull-requests: write, e.g. github-token: ${{ github.token }} (the default).");
    }
    // --- Audit ---
    const audit = bool('audit', true);
    const failOnSecrets = bool('fail-on-secrets', true);
    const exportFilesystem = filePath('export-filesystem');
    if (problems.length > 0)
        throw new InputError(problems);
    const inputs = {
        region,
        audience,
        roleSessionName,
        roleDurationSeconds,
        allowedAccountIds,
        image,
        repository,
        tags,
        keepLogin,
        createRepository,
        imageTagMutability,
        encryption,
        waitForScan,
        scanTimeoutSeconds,
        scanSettleSeconds,
        severityThreshold,
        ignore,
        onlyFixable,
        onScanUnavailable,
        summary,
        prComment,
        githubToken,
        audit,
        failOnSecrets,
    };
    if (roleToAssume !== '')
        inputs.roleToAssume = roleToAssume;
    if (registryId !== '')
        inputs.registryId = registryId;
    if (kmsKey !== '')
        inputs.kmsKey = kmsKey;
    if (lifecyclePolicy !== undefined)
        inputs.lifecyclePolicy = lifecyclePolicy;
    if (ignoreFile !== undefined)
        inputs.ignoreFile = ignoreFile;
    if (sarifFile !== undefined)
        inputs.sarifFile = sarifFile;
    if (exportFilesystem !== undefined)
        inputs.exportFilesystem = exportFilesystem;
    return inputs;
}
/** Inputs that hold credentials: masked in the log the moment they are read. */
const SECRET_INPUTS = new Set(['github-token']);
/** Reads the action's inputs from the runner's INPUT_* environment. */
function getInputs(env = process.env) {
    const get = (name) => {
        const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
        if (SECRET_INPUTS.has(name)) {
            (0,src_core/* setSecret */.Pq)(value);
            (0,src_core/* setSecret */.Pq)(value.trim());
        }
        return value;
    };
    return parseInputs(get, env);
}

// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 5 modules
var exec = __nccwpck_require__(2876);
;// CONCATENATED MODULE: ./src/docker.ts





/** The docker CLI with a fixed environment (DOCKER_CONFIG chooses whose login is used). */
class Docker {
    env;
    constructor(env) {
        this.env = env;
    }
    async exec(args, opts = {}) {
        try {
            const out = await (0,exec/* getExecOutput */.H)('docker', args, {
                env: this.env,
                ignoreReturnCode: true,
                silent: opts.silent ?? false,
                ...(opts.input !== undefined ? { input: Buffer.from(opts.input) } : {}),
            });
            return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
        }
        catch (err) {
            if (err.code === 'ENOENT' || /Unable to locate executable/i.test(String(err))) {
                throw new ActionError('docker is not installed or not on the PATH: this step pushes with the docker CLI.');
            }
            throw err;
        }
    }
    /** ID of a local image, or undefined when the engine has no such image. */
    async imageId(image) {
        const r = await this.exec(['image', 'inspect', '--format', '{{.Id}}', image], { silent: true });
        if (r.code === 0)
            return r.stdout.trim();
        if (/no such image|not found/i.test(r.stderr))
            return undefined;
        if (/cannot connect|is the docker daemon running|permission denied/i.test(r.stderr)) {
            throw new ActionError(`The Docker engine is not reachable: ${firstLine(r.stderr)}`);
        }
        throw new ActionError(`docker image inspect ${image} failed: ${firstLine(r.stderr)}`);
    }
    async login(host, creds) {
        const r = await this.exec(['login', '--username', creds.username, '--password-stdin', host], {
            input: creds.password,
        });
        if (r.code !== 0) {
            throw new ActionError(`docker login to ${host} failed: ${firstLine(r.stderr) || firstLine(r.stdout)}`);
        }
    }
    async logout(host) {
        return this.exec(['logout', host]);
    }
    async tag(source, target) {
        const r = await this.exec(['tag', source, target], { silent: true });
        if (r.code !== 0)
            throw new ActionError(`docker tag ${source} ${target} failed: ${firstLine(r.stderr)}`);
    }
    /** Removes a tag we created; the image itself stays (other tags still name it). */
    async untag(ref) {
        await this.exec(['image', 'rm', '--no-prune', ref], { silent: true });
    }
    async push(ref) {
        return this.exec(['push', ref]);
    }
}
function firstLine(text) {
    return (text
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l !== '') ?? '');
}
/** The line of docker's output that says why a push failed. */
function pushErrorLine(output) {
    const lines = output.split('\n').map((l) => l.trim());
    return (lines.findLast((l) => /denied|unauthorized|unknown|invalid|refused|unsupported|error|failed/i.test(l)) ??
        lines.findLast((l) => l !== '') ??
        '');
}
/** One line that says why `docker push` failed and what to do about it. Pure. */
function explainPushFailure(ref, repository, output) {
    const line = pushErrorLine(output);
    if (/cannot be overwritten|immutable/i.test(output)) {
        return `The registry refused ${ref}: the tag already exists and '${repository}' has immutable tags (${line}). Push a new tag, such as the commit SHA.`;
    }
    if (/name unknown|does not exist in the registry|repository .* not found/i.test(output)) {
        return `The registry refused ${ref}: repository '${repository}' does not exist (${line}). Create it, or set 'create-repository: true'.`;
    }
    if (/denied|unauthorized|authentication required|no basic auth credentials|forbidden/i.test(output)) {
        return (`The registry refused ${ref} (${line}). The role needs ecr:BatchCheckLayerAvailability, ` +
            `ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on '${repository}', ` +
            `and the repository policy must not deny it.`);
    }
    if (/read-only|readonly|unsupported|maintenance|HTTP 405|method not allowed/i.test(output)) {
        return `The registry refused ${ref}: it does not accept pushes right now (${line}).`;
    }
    return `docker push ${ref} failed: ${line || 'no output'}`;
}
/**
 * A private docker config directory under RUNNER_TEMP (mode 0700). The user's own config is never
 * read for credentials nor written; only its current context, if any, is carried over so docker
 * still talks to the same engine.
 */
async function createPrivateConfig(runnerTemp) {
    await promises_.mkdir(runnerTemp, { recursive: true });
    const dir = await promises_.mkdtemp(external_node_path_.join(runnerTemp, 'ecr-supply-chain-docker-'));
    await promises_.chmod(dir, 0o700);
    await promises_.writeFile(external_node_path_.join(dir, 'config.json'), '{"auths":{}}\n', { mode: 0o600 });
    return dir;
}
async function removeDir(dir) {
    await promises_.rm(dir, { recursive: true, force: true });
}
/** The user's docker config directory, as the docker CLI finds it. */
function userDockerConfigDir(env) {
    return env.DOCKER_CONFIG || external_node_path_.join(env.HOME || external_node_os_.homedir(), '.docker');
}
/**
 * The environment for docker calls that use a private config. A user who switched docker contexts
 * (rootless, remote engine) keeps their engine: the context's endpoint goes into DOCKER_HOST.
 */
async function privateDockerEnv(env, configDir) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (v !== undefined)
            out[k] = v;
    out.DOCKER_CONFIG = configDir;
    if (!env.DOCKER_HOST && !env.DOCKER_CONTEXT) {
        const context = await currentContext(userDockerConfigDir(env));
        if (context && context !== 'default') {
            const user = new Docker({ ...out, DOCKER_CONFIG: userDockerConfigDir(env) });
            const r = await user.exec(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', context], {
                silent: true,
            });
            if (r.code === 0 && r.stdout.trim() !== '')
                out.DOCKER_HOST = r.stdout.trim();
        }
    }
    return out;
}
async function currentContext(configDir) {
    try {
        const cfg = JSON.parse(await promises_.readFile(external_node_path_.join(configDir, 'config.json'), 'utf8'));
        const ctx = cfg.currentContext;
        return typeof ctx === 'string' ? ctx : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/github.ts


/** True when the job may request an OIDC token (`permissions: id-token: write`). */
function oidcAvailable(env) {
    return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}
function requireOidc(env) {
    if (!oidcAvailable(env)) {
        throw new ActionError("'role-to-assume' is set but this job cannot request a GitHub OIDC token: " +
            'add `permissions: id-token: write` to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL and ' +
            'ACTIONS_ID_TOKEN_REQUEST_TOKEN are missing). Pull requests from forks never get one.');
    }
}
/** A fresh OIDC token; @actions/core masks it before returning. */
async function getIdToken(audience) {
    return src_core/* getIDToken */.V9(audience);
}

;// CONCATENATED MODULE: ./src/state.ts

const KEYS = {
    logoutRegistry: 'logout-registry',
    dockerConfig: 'docker-config',
    privateConfig: 'private-config',
};
function saveState(state) {
    for (const [field, key] of Object.entries(KEYS)) {
        const value = state[field];
        if (value !== undefined)
            src_core/* saveState */.LZ(key, value);
    }
}
function loadState() {
    const state = {};
    for (const [field, key] of Object.entries(KEYS)) {
        const value = core.getState(key);
        if (value !== '')
            state[field] = value;
    }
    return state;
}

;// CONCATENATED MODULE: ./src/sts.ts




const TRANSIENT_NAMES = new Set([
    'IDPCommunicationError',
    'IDPCommunicationErrorException',
    'InvalidIdentityToken',
    'InvalidIdentityTokenException',
    'ExpiredTokenException',
    'ExpiredToken',
    'Throttling',
    'ThrottlingException',
    'RequestLimitExceeded',
    'TooManyRequestsException',
    'ServiceUnavailable',
    'InternalFailure',
    'InternalError',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
    'NetworkingError',
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'OidcTokenError',
]);
/**
 * Which STS failures are worth another attempt. AccessDenied (the trust policy said no) and
 * validation errors never change on retry; IDP hiccups, throttling, 5xx and the network do.
 * InvalidIdentityToken is transient with GitHub's issuer (STS sometimes fails to fetch its JWKS).
 */
function classifyStsError(err) {
    const name = errorName(err);
    if (TRANSIENT_NAMES.has(name))
        return 'transient';
    const code = err?.code;
    if (typeof code === 'string' && TRANSIENT_NAMES.has(code))
        return 'transient';
    const status = httpStatus(err);
    if (status !== undefined && (status >= 500 || status === 429))
        return 'transient';
    if (err?.$retryable)
        return 'transient';
    return 'permanent';
}
async function newStsClient(region) {
    const { STSClient } = await stsSdk();
    // One attempt per SDK call: our own loop retries, with a fresh OIDC token each time.
    return new STSClient({
        region,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 },
    });
}
/** AssumeRoleWithWebIdentity with GitHub's OIDC token, retried on transient failures only. */
async function assumeRoleWithOidc(opts) {
    const sleep = opts.sleep ?? retry/* realSleep */.u;
    const clock = opts.clock ?? Date.now;
    const maxAttempts = opts.maxAttempts ?? 6;
    const budgetMs = opts.budgetMs ?? 60_000;
    const started = clock();
    const client = opts.client ?? (await newStsClient(opts.region));
    const { AssumeRoleWithWebIdentityCommand } = await stsSdk();
    /** Waits before the next attempt, or says the budget is spent. */
    const backoffOrGiveUp = async (attempt, err) => {
        const delay = (0,retry/* backoffDelay */.E)(attempt - 1, { baseMs: 1000, capMs: 10_000, ...pick(opts.random) });
        if (attempt >= maxAttempts || clock() - started + delay > budgetMs)
            return false;
        opts.log?.(`AssumeRoleWithWebIdentity attempt ${attempt} failed (${errorName(err) || 'error'}: ${errorMessage(err)}); ` +
            `retrying in ${(delay / 1000).toFixed(1)} s with a fresh token`);
        await sleep(delay);
        return true;
    };
    let lastClaims = {};
    for (let attempt = 1;; attempt++) {
        let token;
        try {
            token = await opts.getToken(opts.audience);
        }
        catch (err) {
            const e = new Error(`could not get the GitHub OIDC token: ${errorMessage(err)}`);
            e.name = 'OidcTokenError';
            if (!(await backoffOrGiveUp(attempt, e))) {
                throw new ActionError(`Could not get the GitHub OIDC token after ${attempt} attempts: ${errorMessage(err)}`);
            }
            continue;
        }
        opts.mask(token);
        lastClaims = jwtClaims(token);
        try {
            const out = await client.send(new AssumeRoleWithWebIdentityCommand({
                RoleArn: opts.roleArn,
                RoleSessionName: opts.sessionName,
                WebIdentityToken: token,
                DurationSeconds: opts.durationSeconds,
            }));
            const c = out.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
                throw new Error('STS answered without credentials');
            }
            opts.mask(c.AccessKeyId);
            opts.mask(c.SecretAccessKey);
            opts.mask(c.SessionToken);
            const arn = out.AssumedRoleUser?.Arn ?? '';
            const account = accountFromArn(arn) ?? accountFromArn(opts.roleArn) ?? '';
            const credentials = {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                sessionToken: c.SessionToken,
            };
            if (c.Expiration)
                credentials.expiration = c.Expiration;
            return { account, arn, credentials };
        }
        catch (err) {
            if (classifyStsError(err) === 'permanent')
                throw explainStsError(err, opts, lastClaims);
            if (!(await backoffOrGiveUp(attempt, err))) {
                throw new ActionError(`Could not assume role ${opts.roleArn}: STS kept failing after ${attempt} attempts ` +
                    `(${errorName(err) || 'error'}: ${errorMessage(err)}). This is usually temporary: re-run the job.`);
            }
        }
    }
}
function pick(random) {
    return random ? { random } : {};
}
function explainStsError(err, opts, claims) {
    const name = errorName(err);
    const sub = typeof claims.sub === 'string' ? claims.sub : '(unknown)';
    const aud = typeof claims.aud === 'string'
        ? claims.aud
        : Array.isArray(claims.aud)
            ? claims.aud.join(',')
            : '(unknown)';
    const iss = typeof claims.iss === 'string' ? claims.iss : 'https://token.actions.githubusercontent.com';
    const provider = iss.replace(/^https:\/\//, '');
    const account = accountFromArn(opts.roleArn) ?? '<account>';
    if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        return new ActionError(`Could not assume role ${opts.roleArn}: AccessDenied (${errorMessage(err)}). The role's trust policy ` +
            `rejected this workflow's token: sub "${sub}", aud "${aud}". Check that the role exists and that its trust ` +
            `policy allows sts:AssumeRoleWithWebIdentity for the federated principal ` +
            `arn:aws:iam::${account}:oidc-provider/${provider} with conditions "${provider}:aud" = "${aud}" and ` +
            `"${provider}:sub" matching "${sub}" (sub is case-sensitive; use StringLike for wildcards).`);
    }
    if (name === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test(errorMessage(err))) {
        return new ActionError(`Could not assume role ${opts.roleArn}: ${errorMessage(err)} Lower 'role-duration-seconds' ` +
            `(now ${opts.durationSeconds}) or raise the role's maximum session duration.`);
    }
    return new ActionError(`Could not assume role ${opts.roleArn}: ${name || 'error'}: ${errorMessage(err)}`);
}
/** The identity behind the default credential chain (role-to-assume empty). */
async function callerIdentity(region, client) {
    const { STSClient, GetCallerIdentityCommand } = await stsSdk();
    const sts = client ?? new STSClient({ region, maxAttempts: 4 });
    try {
        const out = await sts.send(new GetCallerIdentityCommand({}));
        const arn = out.Arn ?? '';
        return { account: out.Account ?? accountFromArn(arn) ?? '', arn };
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(errorMessage(err))) {
            throw new ActionError("No AWS credentials: set 'role-to-assume' (with `permissions: id-token: write`) or provide " +
                'credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).');
        }
        throw new ActionError(`Could not identify the AWS credentials in the environment: ${name}: ${errorMessage(err)}`);
    }
}
/** Fails unless the identity's account is allowed. */
function checkAllowedAccount(identity, allowed) {
    if (allowed.length === 0)
        return;
    if (!allowed.includes(identity.account)) {
        throw new ActionError(`The credentials belong to account ${identity.account || '(unknown)'} (${identity.arn}), which is not in ` +
            `'allowed-account-ids' (${allowed.join(', ')}). Check 'role-to-assume' or the list.`);
    }
}

;// CONCATENATED MODULE: ./src/push.ts









/** OIDC → STS → ECR login → docker push of every tag → digest cross-checked with ECR. */
async function pushImage(inputs, deps) {
    const { env, defer } = deps;
    const baseDocker = new Docker(stringEnv(env));
    // Loading the OIDC client and the AWS SDK overlaps with the local image check (a child process).
    if (inputs.roleToAssume !== undefined)
        src_core/* preloadOidc */.LK();
    preloadSdks();
    // A missing local image is found before any network call: nothing happens at all.
    const imageId = await baseDocker.imageId(inputs.image);
    if (imageId === undefined) {
        throw new ActionError(`Local image '${inputs.image}' not found. Build or pull it in an earlier step (docker build -t ${inputs.image} .), ` +
            `on the same runner, before this one.`);
    }
    src_core/* debug */.Yz(`local image ${inputs.image} = ${imageId}`);
    const identity = await resolveIdentity(inputs, env);
    checkAllowedAccount(identity, inputs.allowedAccountIds);
    src_core/* info */.pq(`Acting as ${identity.arn} (account ${identity.account})`);
    const registryId = inputs.registryId ?? identity.account;
    const repositoryArn = `arn:aws:ecr:${inputs.region}:${registryId}:repository/${inputs.repository}`;
    const ecr = await createEcrClient(inputs.region, identity.credentials);
    const [auth, existing] = await Promise.all([
        getAuthorization(ecr, src_core/* setSecret */.Pq).catch((err) => {
            throw explainEcrError('ecr:GetAuthorizationToken', err, '*');
        }),
        findRepository(ecr, inputs.repository, registryId).catch((err) => {
            // Checking first gives a clear error before the push, but the push itself does not need the
            // permission: without it, warn and let the registry have the last word.
            if (errorName(err) === 'AccessDeniedException') {
                src_core/* warning */.$e(`Could not check that repository '${inputs.repository}' exists: ecr:DescribeRepositories is not allowed ` +
                    `on ${repositoryArn}. Pushing anyway; grant it for clearer errors and the repository's settings.`);
                return null;
            }
            throw explainEcrError('ecr:DescribeRepositories', err, repositoryArn);
        }),
    ]);
    const registry = registryHost(auth.proxyEndpoint, registryId);
    let repository = existing ?? undefined;
    if (existing === undefined) {
        if (!deps.onMissingRepository) {
            throw new ActionError(`Repository '${inputs.repository}' does not exist in registry ${registryId} (${inputs.region}). ` +
                `Set 'create-repository: true', or create it: aws ecr create-repository --repository-name ${inputs.repository} ` +
                `--image-scanning-configuration scanOnPush=true --region ${inputs.region}`);
        }
        repository = await deps.onMissingRepository(ecr, registryId);
    }
    // Log in: a private docker config that dies with the step, or the user's (keep-login).
    let docker;
    if (inputs.keepLogin) {
        docker = baseDocker;
        saveState({ logoutRegistry: registry, dockerConfig: userDockerConfigDir(env) });
    }
    else {
        const dir = await createPrivateConfig(env.RUNNER_TEMP || (await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8161, 23))).tmpdir());
        saveState({ privateConfig: dir });
        defer(() => removeDir(dir));
        docker = new Docker(await privateDockerEnv(env, dir));
    }
    // Log in and tag side by side (tags are local). On failure the local tags we made are removed.
    const refs = imageRefs(registry, inputs.repository, inputs.tags, 'sha256:');
    const created = [];
    let digest;
    try {
        const targets = inputs.tags.map((tag) => `${refs.repositoryUri}:${tag}`);
        const tagging = (async () => {
            for (const target of targets) {
                await docker.tag(inputs.image, target);
                created.push(target);
            }
        })();
        const [login] = await Promise.allSettled([docker.login(registry, auth), tagging]);
        if (login.status === 'rejected')
            throw login.reason;
        await tagging;
        src_core/* info */.pq(`Logged in to ${registry} (token valid until ${auth.expiresAt.toISOString()})`);
        for (const target of targets) {
            const r = await docker.push(target);
            if (r.code !== 0)
                throw new ActionError(explainPushFailure(target, inputs.repository, r.stderr + r.stdout));
            const d = parsePushDigest(r.stdout);
            if (!d)
                throw new ActionError(`docker push ${target} succeeded but printed no digest`);
            if (digest !== undefined && d !== digest) {
                throw new ActionError(`docker pushed two digests for one image: ${digest} and ${d} (${target})`);
            }
            digest = d;
        }
    }
    catch (err) {
        await Promise.all(created.map((ref) => docker.untag(ref)));
        throw err;
    }
    if (digest === undefined)
        throw new ActionError('nothing was pushed');
    // ECR is the source of truth for what a tag now points at.
    const ecrDigests = await digestsForTags(ecr, inputs.repository, inputs.tags, registryId).catch((err) => {
        throw explainEcrError('ecr:DescribeImages', err, repositoryArn);
    });
    for (const [tag, d] of ecrDigests) {
        if (d !== digest) {
            throw new ActionError(`ECR reports ${d ?? 'no image'} for ${refs.repositoryUri}:${tag}, but docker pushed ${digest}. ` +
                `Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.`);
        }
    }
    return {
        ...imageRefs(registry, inputs.repository, inputs.tags, digest),
        identity,
        ecr,
        registryId,
        repository,
        digest,
        tags: inputs.tags,
        tokenExpiresAt: auth.expiresAt,
        registryScanning: registryScanningOnce(ecr),
        docker,
        imageId,
    };
}
async function resolveIdentity(inputs, env) {
    if (inputs.roleToAssume === undefined) {
        src_core/* info */.pq('No role-to-assume: using the credentials in the environment (default AWS credential chain)');
        return callerIdentity(inputs.region);
    }
    requireOidc(env);
    return assumeRoleWithOidc({
        roleArn: inputs.roleToAssume,
        sessionName: inputs.roleSessionName,
        durationSeconds: inputs.roleDurationSeconds,
        region: inputs.region,
        audience: inputs.audience,
        getToken: getIdToken,
        mask: src_core/* setSecret */.Pq,
        log: src_core/* info */.pq,
    });
}
function stringEnv(env) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (v !== undefined)
            out[k] = v;
    return out;
}

;// CONCATENATED MODULE: ./src/main.ts









/** The action: orchestration only. Every decision lives in a module of its own. */
async function run(env = process.env) {
    const deferred = [];
    const report = new src_report/* Report */.p();
    let inputs;
    try {
        inputs = getInputs(env);
        debugInputs(inputs);
        // Everything that can be checked locally is, before any network call.
        const pre = { inputs, env };
        const [governance, gate, audit] = await Promise.all([
            prepareGovernance(pre),
            prepareGate(pre),
            prepareAudit(pre),
        ]);
        const i = inputs;
        const pushed = await pushImage(inputs, {
            env,
            defer: (fn) => deferred.push(fn),
            ...(inputs.createRepository
                ? { onMissingRepository: (ecr, registryId) => createRepository(i, ecr, registryId, env) }
                : {}),
        });
        // The registry login is not needed past the push: a private docker config goes right away.
        await runDeferred(deferred);
        setPushOutputs(pushed);
        report.add(10, pushSection(pushed));
        // After the push, side by side: governance, the audit (reads the image locally) and the scan
        // wait (idle polling). A stage that throws fails the step but never hides another's verdict.
        const ctx = { inputs, pushed, report, env, clock: Date.now, sleep: retry/* realSleep */.u };
        const stages = [
            ['Repository governance', runGovernance(ctx, governance)],
            ['The image audit', runAudit(ctx, audit)],
            ['The scan gate', runGate(ctx, gate)],
        ];
        const settled = await Promise.allSettled(stages.map(([, p]) => p));
        const failures = settled.flatMap((r, n) => {
            if (r.status === 'rejected')
                return [`${stages[n]?.[0] ?? 'A stage'} failed: ${errorMessage(r.reason)}`];
            return r.value.failure ? [r.value.failure] : [];
        });
        // Fail closed: a gate that crashed has not passed anything.
        if (settled[2]?.status === 'rejected' && inputs.waitForScan)
            src_core/* setOutput */.uH('gate', 'failed');
        if (failures.length > 0) {
            process.exitCode = 1;
            for (const f of failures)
                src_core/* error */.z3(f);
        }
        // pr-comment: the verdict on the pull request (loaded only then). Never throws, never fails the step.
        if (inputs.prComment) {
            const gateRun = settled[2];
            const digest = gateRun?.status === 'fulfilled' ? gateRun.value.digest : undefined;
            const { writePrComment } = await __nccwpck_require__.e(/* import() */ 196).then(__nccwpck_require__.bind(__nccwpck_require__, 3815));
            await writePrComment({ inputs, env, pushed, gate: digest, stepFailed: failures.length > 0 });
        }
    }
    catch (err) {
        fail(err);
    }
    finally {
        await runDeferred(deferred);
        if (inputs?.summary && !report.empty) {
            await src_core/* summary */.z
                .addRaw(report.markdown())
                .write()
                .catch((err) => src_core/* warning */.$e(`Could not write the job summary: ${errorMessage(err)}`));
        }
    }
}
/** Runs (once) and forgets the cleanups registered so far, newest first. Never throws. */
async function runDeferred(deferred) {
    for (const fn of deferred.splice(0).reverse()) {
        await fn().catch((err) => src_core/* warning */.$e(`Cleanup failed: ${errorMessage(err)}`));
    }
}
function fail(err) {
    if (err instanceof InputError) {
        for (const problem of err.problems)
            src_core/* error */.z3(problem);
        process.exitCode = 1;
        return;
    }
    src_core/* setFailed */.C1(errorMessage(err));
}
function debugInputs(inputs) {
    if (!src_core/* isDebug */._o())
        return;
    for (const [k, v] of Object.entries(inputs))
        src_core/* debug */.Yz(`input ${k} = ${k === 'githubToken' ? '***' : JSON.stringify(v)}`);
}
function setPushOutputs(p) {
    src_core/* setOutput */.uH('registry', p.registry);
    src_core/* setOutput */.uH('repository-uri', p.repositoryUri);
    src_core/* setOutput */.uH('image-uri', p.imageUri);
    src_core/* setOutput */.uH('image-digest', p.digest);
    src_core/* setOutput */.uH('image-ref', p.imageRef);
    src_core/* setOutput */.uH('tags', p.tags.join(','));
    src_core/* setOutput */.uH('aws-account-id', p.identity.account);
    src_core/* setOutput */.uH('token-expires-at', p.tokenExpiresAt.toISOString());
    src_core/* info */.pq(`Pushed ${p.imageRef}`);
}
function pushSection(p) {
    return [
        '### Pushed',
        '',
        '| | |',
        '|---|---|',
        `| Image (deploy this) | \`${(0,src_report/* cell */.H)(p.imageRef)}\` |`,
        `| Tags | ${p.tags.map((t) => `\`${(0,src_report/* cell */.H)(t)}\``).join(', ')} |`,
        `| Registry | \`${(0,src_report/* cell */.H)(p.registry)}\` (account ${p.registryId}) |`,
        `| Pushed as | \`${(0,src_report/* cell */.H)(p.identity.arn)}\` |`,
    ].join('\n');
}


/***/ }),

/***/ 665:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ cell),
/* harmony export */   p: () => (/* binding */ Report)
/* harmony export */ });
/**
 * The job summary, assembled from sections each stage adds, written once at the end of the step
 * (also when it fails) so a reviewer reads one page instead of the log.
 */
class Report {
    sections = [];
    /** Adds a section; lower `order` comes first (verdict 0, push 10, gate 20, governance 30, audit 40). */
    add(order, markdown) {
        this.sections.push({ order, markdown: markdown.trimEnd() });
    }
    get empty() {
        return this.sections.length === 0;
    }
    /** The whole summary, kept under GitHub's 1 MiB limit for one step's summary. */
    markdown(limitBytes = 1024 * 1024 - 4096) {
        const text = [...this.sections]
            .sort((a, b) => a.order - b.order)
            .map((s) => s.markdown)
            .join('\n\n');
        if (Buffer.byteLength(text) <= limitBytes)
            return `${text}\n`;
        const note = '\n\n> Summary truncated to fit GitHub’s 1 MiB limit; the report files hold everything.\n';
        let cut = text.slice(0, limitBytes - Buffer.byteLength(note));
        while (Buffer.byteLength(cut) > limitBytes - Buffer.byteLength(note))
            cut = cut.slice(0, -1024);
        return cut.slice(0, cut.lastIndexOf('\n')) + note;
    }
}
/** Escapes text for a markdown table cell. */
function cell(text) {
    return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}


/***/ }),

/***/ 9809:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ backoffDelay),
/* harmony export */   u: () => (/* binding */ realSleep)
/* harmony export */ });
const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * "Full jitter" backoff (AWS Architecture Blog): a uniform delay in [ceiling/2, ceiling] where
 * ceiling = min(cap, base * 2^attempt). The lower half-floor keeps retries from hammering at once.
 */
function backoffDelay(attempt, opts) {
    const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt));
    const r = (opts.random ?? Math.random)();
    return Math.round(ceiling / 2 + (ceiling / 2) * r);
}


/***/ }),

/***/ 1012:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Rm: () => (/* binding */ THRESHOLDS),
/* harmony export */   V6: () => (/* binding */ severityOfRank),
/* harmony export */   kU: () => (/* binding */ atOrAbove),
/* harmony export */   oC: () => (/* binding */ SEVERITIES),
/* harmony export */   qs: () => (/* binding */ severityRank),
/* harmony export */   s4: () => (/* binding */ normaliseSeverity)
/* harmony export */ });
/**
 * Severities as an ordered type: ECR's six `FindingSeverity` values, highest first, and the
 * threshold that adds NONE. The one place that ranks, parses and normalises them; inputs, findings,
 * the policy and the reports import it. Pure.
 */
/** ECR's finding severities, highest first. */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
const THRESHOLDS = [...SEVERITIES, 'NONE'];
const SEVERITY_SET = new Set(SEVERITIES);
/** A scanner's severity text as one of the six; anything else (UNTRIAGED, new values, '') is UNDEFINED. */
function normaliseSeverity(raw) {
    const up = (raw ?? '').trim().toUpperCase();
    return SEVERITY_SET.has(up) ? up : 'UNDEFINED';
}
/** Rank: CRITICAL 5 … UNDEFINED 0. */
function severityRank(s) {
    return SEVERITIES.length - 1 - SEVERITIES.indexOf(s);
}
/** The severity of a rank (inverse of severityRank). */
function severityOfRank(rank) {
    return SEVERITIES[SEVERITIES.length - 1 - rank];
}
/** Does a counted finding at `s` fail the gate at `threshold`? */
function atOrAbove(s, threshold) {
    return threshold !== 'NONE' && severityRank(s) >= severityRank(threshold);
}


/***/ }),

/***/ 1013:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  x: () => (/* binding */ VERSION)
});

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/version.ts
/**
 * The action's version: package.json's `version`, the one place it is written. ncc inlines the JSON
 * at bundle time, so dist/ carries it and nothing reads package.json at run time. The SARIF driver
 * version (and anything else that names the release) comes from here.
 */

const VERSION = package_namespaceObject.rE;


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 9635:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* binding */ issueCommand),
/* harmony export */   s: () => (/* binding */ issue)
/* harmony export */ });
/* harmony import */ var os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(857);
/* harmony import */ var _utils_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4679);


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + os__WEBPACK_IMPORTED_MODULE_0__.EOL);
}
function issue(name, message = '') {
    issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return (0,_utils_js__WEBPACK_IMPORTED_MODULE_1__/* .toCommandValue */ .E)(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return (0,_utils_js__WEBPACK_IMPORTED_MODULE_1__/* .toCommandValue */ .E)(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map

/***/ }),

/***/ 7063:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  n: () => (/* binding */ issueFileCommand),
  v: () => (/* binding */ prepareKeyValueMessage)
});

;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/utils.js
var utils = __nccwpck_require__(4679);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_.appendFileSync(filePath, `${(0,utils/* toCommandValue */.E)(message)}${external_os_.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = (0,utils/* toCommandValue */.E)(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_.EOL}${convertedValue}${external_os_.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map

/***/ }),

/***/ 1170:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   yo: () => (/* binding */ markdownSummary),
/* harmony export */   z: () => (/* binding */ summary)
/* harmony export */ });
/* unused harmony exports SUMMARY_ENV_VAR, SUMMARY_DOCS_URL */
/* harmony import */ var os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(857);
/* harmony import */ var fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9896);
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = fs__WEBPACK_IMPORTED_MODULE_1__.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, fs__WEBPACK_IMPORTED_MODULE_1__.constants.R_OK | fs__WEBPACK_IMPORTED_MODULE_1__.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return __awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return __awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(os__WEBPACK_IMPORTED_MODULE_0__.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = _summary;
const summary = _summary;
//# sourceMappingURL=summary.js.map

/***/ }),

/***/ 4679:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ toCommandValue),
/* harmony export */   k: () => (/* binding */ toCommandProperties)
/* harmony export */ });
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map

/***/ }),

/***/ 2876:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  H: () => (/* binding */ getExecOutput)
});

// UNUSED EXPORTS: exec

// EXTERNAL MODULE: external "string_decoder"
var external_string_decoder_ = __nccwpck_require__(3193);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_.dirname(filePath);
                        const upperName = external_path_.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_.EOL.length);
                n = s.indexOf(external_os_.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new external_string_decoder_.StringDecoder('utf8');
        const stderrDecoder = new external_string_decoder_.StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
