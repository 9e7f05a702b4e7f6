"""Head to head with auto-round on one model and scheme (tools/bench/vs_autoround.sh runs it).

Steps, each on this machine's threads, one after the other:
  1. calibration samples: the first N documents (blank-line separated) of the calibration text that
     the model's Hugging Face tokenizer makes at least T tokens long, each cut to T tokens; written
     once as .jsonl (the documents: `signround quantize --dataset`, which truncates each to T with the
     same vocabulary) and as ids (fed to auto-round as its dataset, which takes them as they are);
  2. auto-round (AutoRound(...).quantize_and_save(format="auto_round")) and `signround quantize`,
     same scheme, iterations, samples, sequence length, batch size and seed, each timed with
     /usr/bin/time -v (wall time, peak RSS);
  3. perplexity of the original and both exports on the same windows of a held-out text, scored by
     `signround eval` (all with the original's tokenizer, so the token stream is one) and by
     transformers (auto-round's loaders; the same windows: non-overlapping, no BOS, every token after
     a window's first scored);
  4. one row of results as JSON on stdout.
"""
import argparse, json, math, os, re, subprocess, sys, tempfile, time


def peak_and_wall(time_v_output):
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_v_output)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", time_v_output)
    secs = 0.0
    if wall:
        for part in wall.group(1).split(":"):
            secs = secs * 60 + float(part)
    return (int(rss.group(1)) * 1024 if rss else 0), secs


def timed(cmd, log):
    with open(log, "w") as f:
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=f, stderr=subprocess.STDOUT)
    text = open(log, errors="replace").read()
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return peak_and_wall(text)


def prepare(model, text, n, T, out):
    import torch
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model)
    docs = [d.strip() for d in open(text, encoding="utf-8").read().split("\n\n") if d.strip()]
    keep, ids = [], []
    for d in docs:
        x = tok(d)["input_ids"]
        if len(x) >= T:
            keep.append(d)
            ids.append(x[:T])
        if len(keep) == n:
            break
    if len(keep) < n:
        sys.exit(f"only {len(keep)} documents of {text} make {T} tokens; need {n}")
    with open(out + ".jsonl", "w") as f:
        for d in keep:
            f.write(json.dumps({"text": d}) + "\n")
    torch.save(torch.tensor(ids, dtype=torch.long), out + ".pt")


def run_autoround(model, ids_file, bits, group, iters, batch, seed, out):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from auto_round import AutoRound
    torch.set_num_threads(os.cpu_count())
    ids = torch.load(ids_file)
    m = AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(model)
    ar = AutoRound(m, tok, bits=bits, group_size=group, sym=True, iters=iters, nsamples=ids.shape[0], seqlen=ids.shape[1],
                   batch_size=batch, seed=seed, dataset=[ids[i:i + 1] for i in range(ids.shape[0])], device_map="cpu")
    ar.quantize_and_save(out, format="auto_round")


def our_ppl(signround, model, text, tokenizer, window, windows):
    r = subprocess.run([signround, "eval", "--model", model, "--text", text, "--tokenizer", tokenizer, "--window", str(window),
                        "--max_windows", str(windows), "--device", "cpu", "--json", "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
    return json.loads(r.stdout)["ppl"], ""


def hf_ppl(folder, text, tokenizer, window, windows):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, AutoRoundConfig
    try:
        cfg = json.load(open(os.path.join(folder, "config.json")))
        kw = {"dtype": torch.float32}
        if cfg.get("quantization_config", {}).get("quant_method") in ("gptq", "awq"):
            kw["quantization_config"] = AutoRoundConfig()
        m = AutoModelForCausalLM.from_pretrained(folder, device_map="cpu", **kw).eval()
    except Exception as e:  # the reader refuses the folder: that is the finding
        return None, f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
    tok = AutoTokenizer.from_pretrained(tokenizer)
    ids = tok(open(text, encoding="utf-8").read(), add_special_tokens=False)["input_ids"]
    n = min(windows, len(ids) // window)
    nll, count = 0.0, 0
    try:
        with torch.no_grad():
            for w0 in range(0, n, 8):
                x = torch.tensor([ids[i * window:(i + 1) * window] for i in range(w0, min(n, w0 + 8))])
                lp = torch.log_softmax(m(x).logits.double(), -1)
                nll -= lp[:, :-1].gather(-1, x[:, 1:].unsqueeze(-1)).sum().item()
                count += x.shape[0] * (window - 1)
    except Exception as e:  # the reader loads the folder but cannot run it: a finding too
        return None, f"{type(e).__name__} in forward: {str(e).splitlines()[0][:120]}"
    return math.exp(nll / count), ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signround", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--calib", required=True)
    ap.add_argument("--eval_text", required=True)
    ap.add_argument("--bits", type=int, default=4)
    ap.add_argument("--group_size", type=int, default=32)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--nsamples", type=int, default=128)
    ap.add_argument("--seqlen", type=int, default=256)
    ap.add_argument("--batch_size", type=int, default=8)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--windows", type=int, default=300)
    ap.add_argument("--work", required=True)
    ap.add_argument("--step", default="all")  # internal: prepare | autoround
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.step == "prepare":
        return prepare(a.model, a.calib, a.nsamples, a.seqlen, a.out)
    if a.step == "autoround":
        return run_autoround(a.model, a.out + ".pt", a.bits, a.group_size, a.iters, a.batch_size, a.seed, a.work)

    os.makedirs(a.work, exist_ok=True)
    me = [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    calib = os.path.join(a.work, "calib")
    subprocess.run(me + ["--step", "prepare", "--out", calib], check=True)
    ar_dir, our_dir = os.path.join(a.work, "autoround"), os.path.join(a.work, "signround")
    for d in (ar_dir, our_dir):
        subprocess.run(["rm", "-rf", d], check=True)
    ar_rss, ar_wall = timed(me + ["--step", "autoround", "--out", calib, "--work", ar_dir], os.path.join(a.work, "autoround.log"))
    our_rss, our_wall = timed([a.signround, "quantize", "--model", a.model, "--dataset", calib + ".jsonl", "--nsamples", str(a.nsamples),
                               "--seqlen", str(a.seqlen), "--bits", str(a.bits), "--group_size", str(a.group_size), "--sym", "--iters",
                               str(a.iters), "--batch_size", str(a.batch_size), "--seed", str(a.seed), "--format", "auto_round",
                               "--device", "cpu", "--output_dir", our_dir], os.path.join(a.work, "signround.log"))
    ar_export = next(os.path.join(ar_dir, d) for d in os.listdir(ar_dir) if os.path.isdir(os.path.join(ar_dir, d)))
    our_export = next(os.path.join(our_dir, d) for d in os.listdir(our_dir) if d.endswith("auto_round"))
    row = {"model": os.path.basename(a.model.rstrip("/")), "scheme": f"W{a.bits}G{a.group_size}", "iters": a.iters, "nsamples": a.nsamples,
           "seqlen": a.seqlen, "batch_size": a.batch_size, "seed": a.seed, "threads": os.cpu_count(),
           "window": a.window, "windows": a.windows, "eval_text": os.path.basename(a.eval_text),
           "autoround": {"wall_s": ar_wall, "peak_rss_bytes": ar_rss, "export": ar_export},
           "signround": {"wall_s": our_wall, "peak_rss_bytes": our_rss, "export": our_export}}
    for who, folder in (("original", a.model), ("autoround", ar_export), ("signround", our_export)):
        p_ours, why_ours = our_ppl(a.signround, folder, a.eval_text, a.model, a.window, a.windows)
        p_hf, why_hf = hf_ppl(folder, a.eval_text, a.model, a.window, a.windows)
        row.setdefault(who, {}).update({"ppl_signround_eval": p_ours, "ppl_transformers": p_hf, "signround_eval_error": why_ours,
                                        "transformers_error": why_hf})
    print(json.dumps(row))


if __name__ == "__main__":
    main()
