#!/usr/bin/env node
// Perplexity of a GGUF model computed by llama.cpp (through the npm package node-llama-cpp v3),
// with the same windows and scoring as `signround eval` (core/eval/perplexity.cpp):
//   ids = tokenize(whole text) with no BOS/EOS added;
//   N = min(--window, the model's trained context length);
//   windows = floor(len(ids) / N) non-overlapping windows ids[w*N .. w*N+N), capped by --max-windows;
//   in each window (fresh KV cache) the tokens at positions 1..N-1 are scored from the logits at 0..N-2;
//   PPL = exp(sum of -log p / (windows * (N-1))).
// Log-softmax is done here in double precision over the full-vocabulary logits llama.cpp returns.
//
// usage: node gguf_perplexity.cjs --npm DIR_WITH_node_modules --model FILE.gguf --text FILE --window N
//                                 [--max-windows K] [--threads T (default 1)] [--ids FILE.json]
//   --ids: score these token ids (a JSON array) instead of tokenizing the text with llama.cpp.
// Prints:  tokens N  window N  windows W  scored S  nll X  PPL Y  seconds T
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
    process.stderr.write(`gguf_perplexity: ${msg}\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const known = new Set(['npm', 'model', 'text', 'window', 'max-windows', 'threads', 'ids']);
    const a = {};
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m || !known.has(m[1])) fail(`unknown argument '${argv[i]}'`);
        const v = m[2] !== undefined ? m[2] : argv[++i];
        if (v === undefined) fail(`--${m[1]} needs a value`);
        a[m[1]] = v;
    }
    for (const k of ['npm', 'model', 'window']) if (a[k] === undefined) fail(`--${k} is required`);
    if (a.text === undefined && a.ids === undefined) fail('--text (or --ids) is required');
    const int = (k, def, min) => {
        if (a[k] === undefined) return def;
        if (!/^\d+$/.test(a[k]) || Number(a[k]) < min) fail(`--${k} must be an integer >= ${min}, got '${a[k]}'`);
        return Number(a[k]);
    };
    a.window = int('window', 0, 2);
    a.maxWindows = int('max-windows', 0, 0);
    a.threads = int('threads', 1, 1);  // 1 by default: llama.cpp's spinning threads collapse on a busy 2-core box
    for (const k of ['model', 'text', 'ids']) if (a[k] !== undefined && !fs.statSync(a[k], {throwIfNoEntry: false})?.isFile())
        fail(`--${k}: no such file: ${a[k]}`);
    return a;
}

// Resolve node-llama-cpp's ESM entry point inside DIR/node_modules without touching NODE_PATH.
function resolvePackage(dir) {
    const pkgDir = path.join(path.resolve(dir), 'node_modules', 'node-llama-cpp');
    const pkgJson = path.join(pkgDir, 'package.json');
    if (!fs.existsSync(pkgJson)) fail(`node-llama-cpp is not installed under ${dir} (no ${pkgJson})`);
    const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
    let entry = pkg.exports?.['.'];
    if (entry && typeof entry === 'object') entry = entry.import?.default ?? entry.import ?? entry.default;
    entry = typeof entry === 'string' ? entry : (pkg.main ?? 'dist/index.js');
    return {url: require('url').pathToFileURL(path.join(pkgDir, entry)).href, version: pkg.version};
}

async function main() {
    const a = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const {url, version} = resolvePackage(a.npm);
    const {getLlama, LlamaLogLevel} = await import(url);
    // CPU only, prebuilt binaries only: never download llama.cpp sources or compile anything.
    const llama = await getLlama({
        gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false,
        logLevel: LlamaLogLevel?.error ?? 'error', maxThreads: a.threads,
    });
    const model = await llama.loadModel({modelPath: path.resolve(a.model), gpuLayers: 0});

    let ids;
    if (a.ids !== undefined) {
        ids = JSON.parse(fs.readFileSync(a.ids, 'utf8'));
        if (!Array.isArray(ids) || !ids.every(Number.isInteger)) fail(`--ids: ${a.ids} is not a JSON array of integers`);
    } else {
        ids = Array.from(model.tokenize(fs.readFileSync(a.text, 'utf8'), false));  // plain text, no BOS
    }
    const nVocab = model.fileInfo?.metadata?.tokenizer?.ggml?.tokens?.length;
    const bad = nVocab ? ids.find((t) => t < 0 || t >= nVocab) : undefined;
    if (bad !== undefined) fail(`token id ${bad} is outside the model's vocabulary of ${nVocab}`);
    // Like signround eval: windows stay within the model's trained context.
    const trainCtx = model.trainContextSize;
    let N = a.window;
    if (trainCtx > 0 && N > trainCtx) {
        process.stderr.write(`warning: window ${N} is longer than the model's context (${trainCtx}); using windows of ${trainCtx}\n`);
        N = trainCtx;
    }
    let windows = Math.floor(ids.length / N);
    if (a.maxWindows > 0) windows = Math.min(windows, a.maxWindows);
    if (windows === 0) fail(`the text has ${ids.length} tokens, fewer than one window of ${N}`);

    const context = await model.createContext({
        contextSize: N, batchSize: N, sequences: 1, flashAttention: false,
        threads: {ideal: a.threads, min: a.threads},
    });
    const seq = context.getSequence();
    const scoreAll = {generateNext: {logits: true}};  // full-vocabulary logits, no sampling transforms (temperature 0)
    let nll = 0;
    for (let w = 0; w < windows; w++) {
        const win = ids.slice(w * N, (w + 1) * N);
        await seq.clearHistory();  // each window starts from an empty KV cache at position 0
        const input = win.map((t, i) => (i < N - 1 ? [t, scoreAll] : t));
        const out = await seq.controlledEvaluate(input);
        for (let i = 0; i < N - 1; i++) {
            const logits = out[i]?.next?.logits;
            if (!logits) fail(`llama.cpp returned no logits for window ${w} position ${i}`);
            if (nVocab && logits.size !== nVocab) fail(`got ${logits.size} logits, expected ${nVocab} (window ${w} position ${i})`);
            let max = -Infinity;
            for (const v of logits.values()) if (v > max) max = v;
            let sum = 0;
            for (const v of logits.values()) sum += Math.exp(v - max);
            const target = logits.get(win[i + 1]);
            if (target === undefined) fail(`token ${win[i + 1]} is missing from the logits (window ${w})`);
            const lp = target - max - Math.log(sum);
            if (!Number.isFinite(lp)) fail(`non-finite log-probability in window ${w} position ${i}`);
            nll -= lp;
        }
        if (process.stderr.isTTY) process.stderr.write(`\r${w + 1}/${windows} windows`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    const scored = windows * (N - 1);
    const mean = nll / scored;
    const secs = (Date.now() - t0) / 1000;
    process.stdout.write(`node-llama-cpp ${version}, llama.cpp release tag ${llama.llamaCppRelease?.release ?? '?'}, ${llama.gpu || 'cpu'}, ${a.threads} thread(s)\n`);
    process.stdout.write(`tokens ${ids.length}  window ${N}  windows ${windows}  scored ${scored}  nll ${mean.toFixed(6)}  PPL ${Math.exp(mean).toFixed(4)}  seconds ${secs.toFixed(1)}\n`);
    await context.dispose();
    await model.dispose();
    await llama.dispose();
}

main().then(() => process.exit(0),
    (e) => fail(process.env.GGUF_PPL_DEBUG && e?.stack ? e.stack : `llama.cpp / node-llama-cpp failed: ${e?.message ?? e}`));
