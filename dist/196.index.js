export const id = 196;
export const ids = [196];
export const modules = {

/***/ 3815:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  writePrComment: () => (/* binding */ writePrComment)
});

// UNUSED EXPORTS: explain, runUrl

// EXTERNAL MODULE: ./src/core.ts
var core = __webpack_require__(828);
// EXTERNAL MODULE: ./src/version.ts + 1 modules
var version = __webpack_require__(1013);
// EXTERNAL MODULE: ./src/retry.ts
var src_retry = __webpack_require__(9809);
;// CONCATENATED MODULE: ./src/github/api.ts
/**
 * The GitHub REST calls of the pull request comment, through @actions/github (Octokit): list the
 * issue comments of the pull request (every page, by the Link header), update the one carrying the
 * marker, or create it. @actions/github (with undici) is loaded only here, on first use, so a run
 * without `pr-comment` never pays for it.
 *
 * Every call has a deadline, and the whole operation a budget. Reads and the update are retried on
 * 5xx, 429 and network faults; the create is not (a retried POST could leave two comments).
 */

/** A failed call, reduced to what the warning needs (never the token, never the request). */
class GithubApiError extends Error {
    name = 'GithubApiError';
    /** What was being done, e.g. `create a comment on pull request #7`. */
    operation;
    /** HTTP status; undefined when GitHub did not answer. */
    status;
    timedOut;
    constructor(message, operation, status, timedOut) {
        super(message);
        this.operation = operation;
        this.status = status;
        this.timedOut = timedOut;
    }
}
/** Authors whose marker comment is adopted: a bot (the token's app) or someone with a say in the repository. */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
/**
 * A comment is ours when it starts with the marker and was written by a bot or a repository member:
 * anyone can post a comment holding the marker, and must not thereby get the verdict written into a
 * comment they own (and could later edit).
 */
function isOurComment(c, marker) {
    if (typeof c.body !== 'string' || !c.body.startsWith(marker))
        return false;
    return c.user?.type === 'Bot' || TRUSTED_ASSOCIATIONS.has(c.author_association ?? '');
}
/** The rel="next" URL of a Link header, if it points at the same API origin. */
function nextPage(link, baseUrl) {
    if (!link)
        return undefined;
    for (const part of link.split(',')) {
        const m = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
        if (!m || !/(?:^|;)\s*rel="?next"?\s*(?:;|$)/.test(m[2] ?? ''))
            continue;
        try {
            const next = new URL(m[1]);
            // The token goes with every request: never to another host than the API's.
            return next.origin === new URL(baseUrl).origin ? next.href : undefined;
        }
        catch {
            return undefined;
        }
    }
    return undefined;
}
function apiMessage(err) {
    const data = err.response?.data;
    const raw = data && typeof data === 'object' && typeof data.message === 'string'
        ? data.message
        : err instanceof Error
            ? err.message
            : String(err);
    // eslint-disable-next-line no-control-regex
    return raw.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300);
}
function statusOf(err) {
    const e = err;
    // Octokit reports network faults as status 500 without a response.
    if (e.response === undefined)
        return undefined;
    return typeof e.status === 'number' ? e.status : undefined;
}
function retriable(status) {
    return status === undefined || status === 429 || status >= 500;
}
let sdk;
/** Loads @actions/github once (one import() site: one chunk in dist/). */
function loadGithub() {
    sdk ??= Promise.all(/* import() */[__webpack_require__.e(119), __webpack_require__.e(413)]).then(__webpack_require__.bind(__webpack_require__, 2413));
    return sdk;
}
/** Finds the pull request's comment with `marker` and updates it, or creates it. */
async function upsertComment(pr, marker, body, opts) {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const callTimeoutMs = opts.callTimeoutMs ?? 10_000;
    const maxPages = opts.maxPages ?? 30;
    const sleep = opts.sleep ?? src_retry/* realSleep */.u;
    const log = opts.log ?? (() => undefined);
    const budget = AbortSignal.timeout(timeoutMs);
    const { getOctokit } = await loadGithub();
    const octokit = getOctokit(opts.token, {
        baseUrl: opts.baseUrl.replace(/\/+$/, ''),
        ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    });
    /** One call with its deadline, retried when safe and while the budget lasts. */
    async function call(operation, retry, fn) {
        for (let attempt = 0;; attempt++) {
            const signal = AbortSignal.any([budget, AbortSignal.timeout(callTimeoutMs)]);
            try {
                return await fn(signal);
            }
            catch (err) {
                const timedOut = signal.aborted;
                const status = timedOut ? undefined : statusOf(err);
                const message = timedOut
                    ? budget.aborted
                        ? `no answer within the ${Math.round(timeoutMs / 1000)} s budget`
                        : `no answer within ${Math.round(callTimeoutMs / 1000)} s`
                    : apiMessage(err);
                if (retry && attempt < 2 && !budget.aborted && retriable(status)) {
                    const delay = (0,src_retry/* backoffDelay */.E)(attempt, { baseMs: 500, capMs: 4_000 });
                    log(`GitHub API: ${operation} failed (${status ?? 'no answer'}: ${message}); retrying in ${delay} ms`);
                    await sleep(delay);
                    if (!budget.aborted)
                        continue;
                }
                throw new GithubApiError(message, operation, status, timedOut);
            }
        }
    }
    const where = { owner: pr.owner, repo: pr.repo, issue_number: pr.number };
    let found;
    let pages = 0;
    let next;
    do {
        const page = next;
        const res = await call(`list the comments of pull request #${pr.number}`, true, (signal) => page === undefined
            ? octokit.rest.issues.listComments({ ...where, per_page: 100, request: { signal } })
            : octokit.request({ method: 'GET', url: page, request: { signal } }));
        pages++;
        const comments = Array.isArray(res.data) ? res.data : [];
        found = comments.find((c) => isOurComment(c, marker));
        next = found ? undefined : nextPage(res.headers.link, opts.baseUrl);
    } while (next !== undefined && pages < maxPages);
    if (!found && next !== undefined)
        log(`GitHub API: no marker comment in the first ${pages} pages; writing a new one`);
    if (found) {
        if (found.body === body)
            return { action: 'unchanged', id: found.id, url: found.html_url, pages };
        const id = found.id;
        try {
            const res = await call(`update comment ${id}`, true, (signal) => octokit.rest.issues.updateComment({
                owner: pr.owner,
                repo: pr.repo,
                comment_id: id,
                body,
                request: { signal },
            }));
            return { action: 'updated', id: res.data.id, url: res.data.html_url, pages };
        }
        catch (err) {
            // Deleted since it was listed: write a new one.
            if (!(err instanceof GithubApiError && err.status === 404))
                throw err;
            log(`GitHub API: comment ${id} is gone; creating a new one`);
        }
    }
    const res = await call(`create a comment on pull request #${pr.number}`, false, (signal) => octokit.rest.issues.createComment({ ...where, body, request: { signal } }));
    return { action: 'created', id: res.data.id, url: res.data.html_url, pages };
}

// EXTERNAL MODULE: ./src/github/digest.ts
var digest = __webpack_require__(1099);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/github/event.ts
/**
 * Which pull request, if any, this run belongs to: GITHUB_EVENT_NAME and the event payload at
 * GITHUB_EVENT_PATH. The payload carries text anyone opening a pull request writes (title, body,
 * branch names): it is read with a size cap, parsed defensively, and only the few fields needed are
 * taken, each checked for its form.
 */

const PR_EVENTS = ['pull_request', 'pull_request_target'];
/** GitHub's own limit for a webhook payload is 25 MB. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const OWNER_REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function prNumber(v) {
    return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}
async function pullRequestOf(env) {
    const event = env.GITHUB_EVENT_NAME ?? '';
    if (!PR_EVENTS.includes(event)) {
        return { kind: 'not-a-pull-request', event: event || '(none)' };
    }
    // The base repository: where the pull request (and so its comments) lives, also for forks.
    const m = OWNER_REPO.exec(env.GITHUB_REPOSITORY ?? '');
    if (!m)
        return { kind: 'unusable', why: 'GITHUB_REPOSITORY is not of the form owner/repo' };
    const file = env.GITHUB_EVENT_PATH ?? '';
    if (file === '')
        return { kind: 'unusable', why: 'GITHUB_EVENT_PATH is not set' };
    let payload;
    try {
        const fh = await promises_.open(file, 'r');
        try {
            const { size } = await fh.stat();
            if (size > MAX_PAYLOAD_BYTES) {
                return {
                    kind: 'unusable',
                    why: `the event payload is ${size} bytes, more than a GitHub event can be`,
                };
            }
            payload = JSON.parse(await fh.readFile('utf8'));
        }
        finally {
            await fh.close();
        }
    }
    catch (err) {
        const code = err.code;
        return {
            kind: 'unusable',
            why: `cannot read the event payload (${typeof code === 'string' ? code : 'not valid JSON'})`,
        };
    }
    if (!isObject(payload))
        return { kind: 'unusable', why: 'the event payload is not a JSON object' };
    const pr = payload.pull_request;
    const number = prNumber(isObject(pr) ? pr.number : undefined) ?? prNumber(payload.number);
    if (number === undefined) {
        return { kind: 'unusable', why: 'the event payload has no pull request number' };
    }
    const head = isObject(pr) && isObject(pr.head) ? pr.head.sha : undefined;
    const ref = { owner: m[1], repo: m[2], number };
    if (typeof head === 'string' && SHA.test(head))
        ref.headSha = head;
    return { kind: 'pull-request', pr: ref };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/severity.ts
var severity = __webpack_require__(1012);
;// CONCATENATED MODULE: ./src/github/pr-comment.ts
/**
 * The pull request comment: the gate's verdict and its blocking findings, where reviewers look.
 * Pure: facts in, markdown out.
 *
 * Every string that comes from a scan (IDs, packages, versions, URLs, ECR's reasons) is hostile: it
 * is shown only inside a code span (GitHub renders no markdown, HTML, @-mention, #-reference or
 * emoji there), with the characters that could end the span or the table cell neutralised, control
 * and bidirectional-override characters dropped, and its length bounded. URLs are links only when
 * they are plain http(s) URLs, percent-encoded so they cannot close the link. The body stays well
 * under GitHub's 65,536-character limit for a comment.
 */


/** GitHub refuses comments over 65,536 characters; stay clear of it. */
const BODY_LIMIT = 60_000;
const LABEL = {
    CRITICAL: 'Critical',
    HIGH: 'High',
    MEDIUM: 'Medium',
    LOW: 'Low',
    INFORMATIONAL: 'Informational',
    UNDEFINED: 'Undefined',
};
/**
 * The hidden marker of the one comment per pull request, image and step:
 * `<!-- ecr-supply-chain:<repository>:<12 hex> -->`, the hex a hash of the registry, the repository
 * and the workflow, job and step that push it (so two steps pushing two images keep two comments).
 */
function commentMarker(key) {
    const hash = (0,external_node_crypto_.createHash)('sha256')
        .update([key.registry, key.repository, key.workflow, key.job, key.step].join('\n'))
        .digest('hex')
        .slice(0, 12);
    // ECR repository names are [a-z0-9._/-] without "--": nothing in them can end an HTML comment.
    const repo = key.repository.replace(/[^a-z0-9._/-]/g, '_').replace(/-{2,}/g, '-');
    return `<!-- ecr-supply-chain:${repo}:${hash} -->`;
}
// Control characters, and the bidirectional overrides/isolates that can make text read as
// something else ("Trojan Source").
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Plain, single-line, bounded text (counted in code points). */
function clean(s, max) {
    const flat = String(s)
        .replace(/\r\n|\r|\n|\t/g, ' ')
        .replace(UNSAFE, '')
        .trim();
    const points = [...flat];
    return points.length > max ? `${points.slice(0, max - 1).join('')}…` : flat;
}
/**
 * Hostile text as a code span. `table`: it sits in a table cell, where `|` (even in a code span)
 * and a backslash before it would split the cell, so both are escaped.
 */
function code(s, max, table) {
    let t = clean(s, max).replace(/`/g, 'ˋ');
    if (t === '')
        return '–';
    if (table)
        t = t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
    return `\`${t}\``;
}
/** A link target, or '' when it is not a plain http(s) URL. */
function safeUrl(raw, max = 500) {
    let u;
    try {
        u = new URL(String(raw).trim());
    }
    catch {
        return '';
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username !== '' || u.password !== '')
        return '';
    // Nothing that could end the link destination, the table cell or the code around it.
    const href = u.href.replace(/[()|[\]<>"'`\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    return href.length <= max ? href : '';
}
function thresholdText(t) {
    return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`;
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}
function headline(f) {
    const t = f.threshold;
    switch (f.gate) {
        case 'failed':
            return f.counts
                ? `❌ Scan gate failed: ${plural(f.blockingTotal, 'blocking finding')} ${thresholdText(t)}`
                : '❌ Scan gate failed: no trustworthy findings';
        case 'passed': {
            const total = f.counts ? severity/* SEVERITIES */.oC.reduce((n, s) => n + (f.counts?.[s] ?? 0), 0) : 0;
            if (t === 'NONE')
                return `✅ Scan gate passed: ${plural(total, 'counted finding')}, report only`;
            return `✅ Scan gate passed: ${total === 0 ? 'no counted findings' : `${plural(total, 'finding')}, none ${thresholdText(t)}`}`;
        }
        case 'unavailable':
            return '⚠️ Scan gate could not decide: no trustworthy findings';
        case 'skipped':
            return '⏭️ Scan gate skipped (wait-for-scan: false): the image was pushed without waiting for its findings';
    }
}
function countsTable(f) {
    if (!f.counts)
        return [];
    const counts = f.counts;
    const head = [...severity/* SEVERITIES */.oC.map((s) => LABEL[s]), 'Ignored'];
    const row = [...severity/* SEVERITIES */.oC.map((s) => String(counts[s])), String(f.ignored ?? 0)];
    return [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`, `| ${row.join(' | ')} |`];
}
function findingRow(b, multi) {
    const url = safeUrl(b.url);
    const id = code(b.id, 100, true);
    const cells = [
        url && id !== '–' ? `[${id}](${url})` : id,
        b.severity,
        code(b.package, 100, true),
        code(b.version, 80, true),
        code(b.fixedIn, 80, true),
    ];
    if (multi)
        cells.push(code(b.platform, 40, true));
    return `| ${cells.join(' | ')} |`;
}
/** The comment's markdown. */
function prComment(f) {
    const out = [f.marker, `### ${headline(f)}`, '', `Image ${code(f.imageRef, 300, false)}`];
    if (f.reason)
        out.push('', `Reason: ${code(f.reason, 500, false)}`);
    if (f.otherFailure) {
        out.push('', '> [!WARNING]', '> The step failed for another reason as well (the image audit or the repository governance): see the run.');
    }
    const counts = countsTable(f);
    if (counts.length > 0)
        out.push('', ...counts);
    const foot = [];
    const meta = [];
    const run = f.runUrl ? safeUrl(f.runUrl) : '';
    if (run)
        meta.push(`[Job summary and log](${run})`);
    if (f.commit && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(f.commit))
        meta.push(`commit ${f.commit.slice(0, 12)}`);
    meta.push('this comment is updated in place on each push');
    foot.push('', `<sub>${meta.join(' · ')}</sub>`);
    if (f.blocking.length > 0) {
        const multi = f.blocking.some((b) => b.platform !== '');
        const head = ['Blocking finding', 'Severity', 'Package', 'Installed', 'Fixed in'];
        if (multi)
            head.push('Platform');
        out.push('', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
        // Rows go in while the body stays under the limit (they are bounded, so this is a backstop).
        let size = out.join('\n').length + foot.join('\n').length + 200;
        let listed = 0;
        for (const b of f.blocking) {
            const row = findingRow(b, multi);
            if (size + row.length + 1 > BODY_LIMIT)
                break;
            out.push(row);
            size += row.length + 1;
            listed++;
        }
        const rest = Math.max(f.blockingTotal, f.blocking.length) - listed;
        if (rest > 0)
            out.push('', `…and ${plural(rest, 'more blocking finding')}: the job summary and the report file list every one.`);
    }
    return [...out, ...foot].join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/github/index.ts
/**
 * `pr-comment`: after the stages settle, keep one comment on the pull request with the gate's
 * verdict and its blocking findings, updated in place on every push. A convenience: nothing here
 * fails the step (the gate's verdict is the step's exit code); every problem is one warning.
 */






// eslint-disable-next-line no-control-regex
const oneLine = (s) => s.replace(/[\u0000-\u001f\u007f]/g, ' ');
function httpUrl(raw) {
    if (!raw)
        return undefined;
    try {
        const u = new URL(raw);
        return u.protocol === 'https:' || u.protocol === 'http:' ? u.href.replace(/\/+$/, '') : undefined;
    }
    catch {
        return undefined;
    }
}
/** The run's page: its job summary and log. */
function runUrl(env) {
    const server = httpUrl(env.GITHUB_SERVER_URL);
    const repo = env.GITHUB_REPOSITORY ?? '';
    const id = env.GITHUB_RUN_ID ?? '';
    const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
    if (!server || !/^[\w.-]+\/[\w.-]+$/.test(repo) || !/^\d{1,20}$/.test(id))
        return undefined;
    return `${server}/${repo}/actions/runs/${id}${/^\d{1,5}$/.test(attempt) && attempt !== '1' ? `/attempts/${attempt}` : ''}`;
}
/** The warning for a failed API call: what happened and what to change. */
function explain(err) {
    const lead = 'Could not write the pull request comment';
    const tail = "The scan gate's verdict is unchanged: only the comment is missing.";
    if (!(err instanceof GithubApiError))
        return `${lead}: ${oneLine(err instanceof Error ? err.message : String(err))}. ${tail}`;
    const what = `${lead} (${err.operation})`;
    if (err.timedOut)
        return `${what}: the GitHub API gave ${err.message}. ${tail}`;
    if (err.status === 403 || (err.status === 404 && /create|update/.test(err.operation))) {
        return (`${what}: GitHub answered ${err.status} (${err.message}): the token may not write to this pull request. ` +
            'Give the job `permissions: pull-requests: write` (a pull request from a fork gets a read-only GITHUB_TOKEN ' +
            `whatever the workflow asks), or pass a token that may in 'github-token'. ${tail}`);
    }
    if (err.status === 401) {
        return `${what}: GitHub refused 'github-token' (401 ${err.message}). ${tail}`;
    }
    return `${what}: ${err.status === undefined ? 'no answer' : `GitHub answered ${err.status}`} (${err.message}). ${tail}`;
}
/** Writes or updates the comment. Never throws; a problem is a warning. */
async function writePrComment(ctx, tuning = {}) {
    const { inputs, env } = ctx;
    if (!inputs.prComment)
        return;
    try {
        const lookup = await pullRequestOf(env);
        if (lookup.kind === 'not-a-pull-request') {
            core/* debug */.Yz(`pr-comment: the event is ${oneLine(lookup.event)}, not a pull request: no comment`);
            return;
        }
        if (lookup.kind === 'unusable') {
            core/* warning */.$e(`Could not write the pull request comment: ${lookup.why}.`);
            return;
        }
        const pr = lookup.pr;
        const gate = ctx.gate ??
            (inputs.waitForScan
                ? (0,digest/* digestWithoutFindings */.Fs)('failed', inputs.severityThreshold, 'the scan gate stage failed: see the run')
                : (0,digest/* digestWithoutFindings */.Fs)('skipped', inputs.severityThreshold));
        const marker = commentMarker({
            registry: ctx.pushed.registry,
            repository: inputs.repository,
            workflow: env.GITHUB_WORKFLOW ?? '',
            job: env.GITHUB_JOB ?? '',
            step: env.GITHUB_ACTION ?? '',
        });
        const facts = {
            ...gate,
            marker,
            imageRef: ctx.pushed.imageRef,
            otherFailure: ctx.stepFailed && gate.gate !== 'failed',
        };
        const run = runUrl(env);
        if (run)
            facts.runUrl = run;
        if (pr.headSha)
            facts.commit = pr.headSha;
        const baseUrl = httpUrl(env.GITHUB_API_URL) ?? 'https://api.github.com';
        const res = await upsertComment(pr, marker, prComment(facts), {
            token: inputs.githubToken,
            baseUrl,
            userAgent: `ecr-supply-chain/${version/* VERSION */.x}`,
            log: (l) => core/* debug */.Yz(oneLine(l)),
            ...tuning,
        });
        core/* info */.pq(`Pull request comment ${res.action}: ${oneLine(res.url)}`);
    }
    catch (err) {
        core/* warning */.$e(explain(err));
    }
}


/***/ })

};
