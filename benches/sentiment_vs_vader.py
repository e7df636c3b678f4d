#!/usr/bin/env python3
"""kabar's sentiment against VADER (what an English-only user would pick),
on the same English rows, side by side: macro-F1, accuracy, texts per second.

    pip install vaderSentiment
    python3 benches/sentiment_vs_vader.py [../shared/data/sentiment/dev/en.jsonl] [target/release/kabar] [models/sentiment.bin]

Rows are split by source, because VADER's own ground truth (its tweets and
NYT sentences) is part of the English data: VADER was built on it, so only
the other rows (SemEval tweets via XLM-T, NusaX) are unseen by both.
VADER's compound score maps to labels with its documented thresholds
(>= 0.05 positive, <= -0.05 negative).
"""
import json, subprocess, sys, tempfile, time, os
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/sentiment/dev/en.jsonl"
kabar = sys.argv[2] if len(sys.argv) > 2 else "target/release/kabar"
model = sys.argv[3] if len(sys.argv) > 3 else "models/sentiment.bin"
rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]

def group(r):
    s = r.get("source", "")
    if "vaderSentiment" in s:
        return "vader-nyt" if "nytEditorial" in s else "vader-tweets"
    if "xlm-t" in s:
        return "semeval-tweets"
    return "other"

LABELS = ["negative", "neutral", "positive"]

def scores(gold, pred):
    n = len(gold)
    acc = sum(g == p for g, p in zip(gold, pred)) / n
    f1s = []
    for c in LABELS:
        if c not in gold:
            continue
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        pp = sum(p == c for p in pred)
        gp = sum(g == c for g in gold)
        pr = tp / pp if pp else 0.0
        rc = tp / gp if gp else 0.0
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(f1s) / len(f1s), acc

sia = SentimentIntensityAnalyzer()
def vader_label(t):
    c = sia.polarity_scores(t)["compound"]
    return "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"

groups = {}
for r in rows:
    groups.setdefault(group(r), []).append(r)
groups["all"] = rows

print(f"{'rows':<16} {'n':>5} | {'kabar F1':>8} {'acc':>6} | {'VADER F1':>8} {'acc':>6}")
for name, rs in sorted(groups.items()):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for r in rs:
            f.write(json.dumps({"text": r["text"], "label": r["label"], "lang": "en"}, ensure_ascii=False) + "\n")
        tmp = f.name
    out = subprocess.run([kabar, "eval", "sentiment", tmp, "--json", "--model", model], capture_output=True, text=True, check=True)
    os.unlink(tmp)
    k = json.loads(out.stdout)["languages"][0]
    vf1, vacc = scores([r["label"] for r in rs], [vader_label(r["text"]) for r in rs])
    print(f"{name:<16} {len(rs):>5} | {k['macro_f1']:>8.3f} {k['accuracy']:>6.3f} | {vf1:>8.3f} {vacc:>6.3f}")

# Speed: VADER in-process, one thread, the same texts repeated.
texts = [r["text"] for r in rows]
started = time.perf_counter(); n = 0
while time.perf_counter() - started < 3.0:
    for t in texts:
        sia.polarity_scores(t)
    n += len(texts)
vps = n / (time.perf_counter() - started)
print(f"\nVADER: {vps:.0f} texts/s (one thread, Python {sys.version.split()[0]})")
print("kabar: see `cargo bench --bench sentiment` (opinion score only) for the same measure")
