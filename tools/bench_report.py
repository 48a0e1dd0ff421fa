#!/usr/bin/env python3
"""Turns the JSON lines of tools/bench into the generated section of docs/benchmarks.md and a
recall@10-vs-QPS plot per data set.

  bench_report.py RESULTS.jsonl [--doc docs/benchmarks.md] [--plot-dir docs]
      Prints the section; with --doc, replaces the text between the markers
      `<!-- tools/bench: begin -->` and `<!-- tools/bench: end -->` (inserted after the document's
      title when absent) and keeps the rest of the file as it is; with --plot-dir, writes
      bench-<data set>.png there (matplotlib).
  bench_report.py --reference-retrieval EMB_DIR TEXT_DIR OUT.jsonl
      nDCG@10, Recall@100 and MRR@10 of an exact cosine search over precomputed embeddings
      (EMB_DIR: base.fvecs/base.ids/query.fvecs/query.ids, e.g. scifact-minilm384) judged by
      TEXT_DIR/qrels.tsv, with the same definitions as QuiverBench retrieval; one JSON line.

Every figure is a median over the rounds of the run (each round's figure is itself the median of
the timing passes, as the peers' common.time_queries does).
"""
import argparse
import json
import math
import os
import re
import statistics as st
import sys

BEGIN = "<!-- tools/bench: begin -->"
END = "<!-- tools/bench: end -->"

# Engine order in tables and plots; Quiver first.
MAIN_ORDER = ["quiver-exact", "quiver-hnsw", "faiss-IndexFlat", "hnswlib", "faiss-IndexHNSWFlat", "usearch-f32",
              "usearch-i8", "sqlite-vec", "lancedb", "chromadb"]
PQ_ORDER = ["quiver-exact-full", "quiver-hnsw-full", "quiver-pq-scan", "quiver-hnsw-pq", "quiver-hnsw-pq-compressed",
            "faiss-IndexPQ", "faiss-IndexPQ+RefineFlat", "faiss-IndexHNSWPQ", "faiss-IndexHNSWPQ+RefineFlat",
            "faiss-IndexIVFPQ", "faiss-IndexIVFPQ+RefineFlat"]
EMBEDDED = {"sqlite-vec", "lancedb", "chromadb"}
COLORS = {"quiver-hnsw": "#d62728", "quiver-exact": "#7b0000", "quiver-hnsw-pq": "#ff7f0e", "quiver-pq-scan": "#e377c2",
          "quiver-hnsw-pq-compressed": "#bcbd22", "hnswlib": "#2ca02c", "faiss-IndexHNSWFlat": "#1f77b4",
          "faiss-IndexFlat": "#17becf", "usearch-f32": "#9467bd", "sqlite-vec": "#7f7f7f", "lancedb": "#8c564b",
          "chromadb": "#c49c94", "faiss-IndexPQ": "#aec7e8", "faiss-IndexPQ+RefineFlat": "#6baed6",
          "faiss-IndexHNSWPQ": "#c5b0d5", "faiss-IndexHNSWPQ+RefineFlat": "#8c6bb1", "faiss-IndexIVFPQ": "#98df8a",
          "faiss-IndexIVFPQ+RefineFlat": "#31a354"}
# params shown in the tables (renamed); everything else in params is a constant or a note
SHOWN = {"ef": "ef", "efSearch": "ef", "expansion_search": "ef", "pq_m": "m", "rerank_top": "rerank",
         "rerank": "rerank", "nprobe": "nprobe", "nlist": "nlist", "index": "index", "refine_factor": "refine",
         "k_prime": "k'"}


def is_quiver(peer):
    return peer.startswith("quiver")


def med(values):
    values = [v for v in values if v is not None]
    return st.median(values) if values else None


def label(r):
    p = r.get("params", {})
    parts = []
    for k, v in p.items():
        if k in SHOWN and not (k == "k_prime" and not r["peer"].endswith("postfilter")):
            parts.append(f"{SHOWN[k]}={v}")
    return " ".join(parts) if parts else "–"


def sort_key_params(r):
    p = r.get("params", {})
    nums = []
    for k in ("pq_m", "rerank_top", "nlist", "nprobe", "ef", "efSearch", "expansion_search", "refine_factor"):
        v = p.get(k)
        nums.append(v if isinstance(v, (int, float)) else -1)
    return (str(p.get("index", "")), nums)


def filter_of(r):
    """Normalised filter text (`label<10`) or None for unfiltered lines."""
    f = r.get("filter") or r.get("params", {}).get("filter")
    return f.replace(" ", "") if f else None


class Group:
    """The lines of one configuration (data set, engine, filter, shown params) over the rounds."""

    def __init__(self, rows):
        self.rows = sorted(rows, key=lambda r: r.get("round", 0))
        r0 = self.rows[0]
        self.r0 = r0
        self.peer = r0["peer"]
        self.label = label(r0)
        self.filter = filter_of(r0)
        self.recall = med(r.get("recall_at_10") for r in self.rows)
        self.qps = med(r.get("qps_1thread") for r in self.rows)
        self.qps_all = med(r.get("qps_all_cores") for r in self.rows)
        self.p50 = med(r.get("p50_ms") for r in self.rows)
        self.p99 = med(r.get("p99_ms") for r in self.rows)
        self.rss = med(r.get("peak_rss_mb") for r in self.rows)
        self.bytes = med(r.get("index_bytes") for r in self.rows)
        self.rounds = len(self.rows)
        self.by_round = {r.get("round", 0): r.get("qps_1thread") for r in self.rows}
        self.cpu = med(r.get("cpu_util") for r in self.rows)

    def build(self):
        """'1.23 / 0.80' (1 / 2 threads), or 'insert 1.2 s' for the embedded databases."""
        b = [r.get("build_s") for r in self.rows]
        if not b or b[0] is None:
            return "–"
        if isinstance(b[0], dict):
            keys = sorted({k for x in b if isinstance(x, dict) for k in x}, key=int)
            cells = []
            for t in ("1", "2"):
                v = med(x.get(t) for x in b if isinstance(x, dict))
                cells.append(f"{v:.2f}" if v is not None else "–")
            extra = [k for k in keys if k not in ("1", "2")]
            return " / ".join(cells) + (f" ({', '.join(extra)} thr.)" if extra else "")
        s = f"insert {med(b):.2f}"
        idx = med(r.get("index_s") for r in self.rows)
        if idx is not None and "IVF" in str(self.r0.get("params", {}).get("index", "")):
            s += f" + index {idx:.2f}"
        return s


def group_rows(rows):
    groups = {}
    for r in rows:
        key = (r["dataset"], r["peer"], filter_of(r), label(r))
        groups.setdefault(key, []).append(r)
    return {k: Group(v) for k, v in groups.items()}


def fmt_qps(x):
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ms(x):
    return "–" if x is None else (f"{x:.3f}" if x < 10 else f"{x:,.1f}")


def fmt_mb(b):
    return "–" if b is None else f"{b / 1e6:,.1f} MB"


def fmt_rss(x):
    return "–" if x is None else f"{x:,.0f} MB"


def engine_name(peer):
    return {"quiver-exact": "**Quiver** exact", "quiver-hnsw": "**Quiver** HNSW", "quiver-pq-scan": "**Quiver** PQ scan",
            "quiver-hnsw-pq": "**Quiver** HNSW+PQ", "quiver-hnsw-pq-compressed": "**Quiver** HNSW+PQ, codes only",
            "quiver-exact-full": "**Quiver** exact", "quiver-hnsw-full": "**Quiver** HNSW",
            "faiss-IndexFlat": "faiss IndexFlat", "faiss-IndexHNSWFlat": "faiss IndexHNSWFlat",
            "usearch-f32": "usearch f32", "usearch-i8": "usearch i8"}.get(peer, peer.replace("faiss-", "faiss "))


def order_of(peer, order):
    return order.index(peer) if peer in order else len(order)


def best_at(groups, target):
    ok = [g for g in groups if g.recall is not None and g.qps is not None and g.recall >= target]
    return max(ok, key=lambda g: g.qps) if ok else None


def paired_ratios(a, b):
    return [a.by_round[r] / b.by_round[r] for r in sorted(a.by_round) if r in b.by_round and b.by_round[r]]


# ---------------------------------------------------------------- sections
def machine_section(meta, end, rows, failed):
    out = []
    pip = meta.get("pip", {})
    busy = [r["busy_cores_before"] for r in rows if "busy_cores_before" in r]
    lq = [r["loadavg_1m"] for r in rows if isinstance(r.get("loadavg_1m"), (int, float)) and r["loadavg_1m"] >= 0]
    cpu_q = [r["cpu_util"] for r in rows if is_quiver(r.get("peer", "")) and isinstance(r.get("cpu_util"), (int, float))]
    cpu_p = [r["cpu_util"] for r in rows if not is_quiver(r.get("peer", "")) and r.get("peer") not in EMBEDDED
             and isinstance(r.get("cpu_util"), (int, float))]
    elapsed = end.get("elapsed_s")
    out.append(f"Run of **{meta.get('date_utc', '?')} UTC** ({meta.get('mode', '?')} mode"
               + (f", {elapsed // 60} min {elapsed % 60} s" if elapsed is not None else "") + "), command:\n")
    out.append(f"```sh\n{meta.get('command', 'tools/bench')}\n```\n")
    out.append(f"* Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores"
               + (f" ({meta['threads_per_core']} thread(s) per core)" if meta.get("threads_per_core") else "")
               + f", {meta.get('mem_gib', '?')} GiB RAM, Linux {meta.get('kernel', '?')}, SIMD {', '.join(meta.get('simd', [])) or '?'}.")
    load = f"load average {meta.get('loadavg_start', ['?'])[0]} at the start"
    if end.get("loadavg_end"):
        load += f", {end['loadavg_end'][0]} at the end"
    if lq:
        load += f", {min(lq):.1f}–{max(lq):.1f} during the timed passes"
    state = "busy" if (busy and st.median(busy) >= 0.5) or (lq and st.median(lq) >= 1.5) else "quiet"
    out.append(f"* Machine state: **{state}** — {load}"
               + (f"; busy cores just before each run (other processes, 1 s sample): median {st.median(busy):.2f}, "
                  f"max {max(busy):.2f}" if busy else "")
               + (f"; query-thread `cpu_util` (CPU s / wall s over the timed passes; 1.0 = a core to itself): "
                  f"Quiver median {st.median(cpu_q):.2f} (min {min(cpu_q):.2f}), peers median {st.median(cpu_p):.2f} "
                  f"(min {min(cpu_p):.2f})" if cpu_q and cpu_p else "") + ".")
    if state == "busy":
        out.append("  Other processes (agents building) were using the cores: the query threads got part of a core "
                   "(see `cpu_util`), so absolute QPS are lower than on a quiet machine and ratios between engines "
                   "swing from round to round. The per-round ratios below show by how much; a ratio means little "
                   "unless its rounds agree.")
    vers = ", ".join(f"{k} {v}" for k, v in pip.items() if k not in ("psutil", "pysqlite3-binary"))
    out.append(f"* Versions: {meta.get('swift', 'swift ?')}; Quiver git `{meta.get('git', '?')}`; "
               f"Python {meta.get('python', '?')} with {vers} (PyPI wheels).")
    out.append(f"* Rounds: {meta.get('rounds')} alternating (ABBA: odd rounds Quiver first, even rounds the peers first) "
               f"for the in-memory comparisons; {meta.get('query_repeats')} timing passes per configuration; medians "
               "over rounds, each round's figure being the median of its passes."
               + ("" if meta.get("quiver_pq") else " Product quantization: not in this checkout (QuiverBench has no `pq` "
                  "subcommand), so not measured."))
    if failed:
        out.append(f"* Runs that failed and are missing from the tables: {', '.join(sorted({f['label'] for f in failed}))}.")
    return out


FAIRNESS = """\
How the engines are run (the peers' rules, `../shared/bench/peers`): every engine answers one query
at a time on **one thread**; HNSW engines use M = 16, efConstruction = 200 and the same ef sweep;
recall@10 is measured against the data set's exact ground truth; each engine family runs in its own
process (so peak RSS is per family, and includes that harness's own copy of the data set). Builds are
timed with 1 and 2 threads (synth384: 2 threads only, to bound the run). Where a side has an advantage
or a disadvantage:

* **Python call overhead (peers' disadvantage).** hnswlib, faiss and usearch are driven from Python:
  every query pays a few µs of interpreter and binding overhead, which caps their QPS on small sets
  (it matters at sift-small's 20–100k QPS, hardly at synth384's). Quiver is called from Swift.
* **Full store API (Quiver's disadvantage).** Each Quiver query is a `Store.search(vector:k:ef:)`
  call: a read transaction, the snapshot lookup, the search over the LMDB memory map, then loading the
  k documents (id, text, metadata) and building `SearchResult`s. The in-memory libraries return
  integer labels from a heap index. Quiver's build also writes ids, documents and vectors to LMDB
  and fsyncs every batch of 10,000 (`build_s` includes it); its bytes are the whole `data.mdb`.
* **Cosine.** Peers are given L2-normalised vectors (faiss ranks them by L2); Quiver gets the raw
  vectors with `metric: .cosine` and normalises them itself.
* **All cores.** Only Quiver's harness measures queries/s with every core searching
  (`qps_all_cores`); the peers' scripts time one thread only.
* **Embedded databases** (chromadb, lancedb, sqlite-vec) run at their defaults, persist to disk and
  are reopened before querying, as Quiver does; lancedb without an index and sqlite-vec scan
  exactly; their engines may use internal threads although the caller issues one query at a time.
  Their "build" is the insert (and lancedb's IVF_PQ index) time.
* **Filtered search.** hnswlib's filter is a Python callable called per candidate (costly at low
  selectivity); Quiver's filters use its postings index and planner. Quiver's filtered and PQ stores
  are built with `skipSync: true`.
"""


def main_tables(ds, groups, meta):
    out = []
    main = [g for g in groups if g.filter is None and g.peer in MAIN_ORDER]
    if not main:
        return out
    main.sort(key=lambda g: (order_of(g.peer, MAIN_ORDER), sort_key_params(g.r0)))
    r0 = main[0].r0
    nq = r0.get("nq")
    out.append(f"### {ds} ({r0.get('n', '?'):,} × {r0.get('d', '?')}, {r0.get('metric', '?')}, {nq} queries, k = 10)\n")
    out.append(f"![recall@10 vs queries/s, {ds}](bench-{ds}.png)\n")
    # ratio table
    quiver = [g for g in main if is_quiver(g.peer)]
    peers = [g for g in main if not is_quiver(g.peer)]
    out.append("**Queries/s at a recall@10 target** (best configuration of each engine reaching it; one thread):\n")
    out.append("| engine | QPS @ recall ≥ 0.95 (config, recall) | best Quiver / engine | QPS @ recall ≥ 0.99 (config, recall) | best Quiver / engine |")
    out.append("| --- | ---: | ---: | ---: | ---: |")
    best_q = {t: best_at(quiver, t) for t in (0.95, 0.99)}
    engines = []
    for g in main:
        if g.peer not in engines:
            engines.append(g.peer)
    best_peer = {t: best_at(peers, t) for t in (0.95, 0.99)}
    for e in engines:
        cells = []
        for t in (0.95, 0.99):
            b = best_at([g for g in main if g.peer == e], t)
            if b is None:
                cells += ["not reached", "–"]
                continue
            bold = "**" if b is best_peer[t] or b is best_q[t] else ""
            cells.append(f"{bold}{fmt_qps(b.qps)}{bold} ({b.label}, {b.recall:.3f})")
            q = best_q[t]
            if is_quiver(e) or q is None:
                cells.append("–")
            else:
                pr = paired_ratios(q, b)
                extra = f" (per round {min(pr):.2f}–{max(pr):.2f}, median {st.median(pr):.2f})" if len(pr) > 1 else ""
                cells.append(f"{q.qps / b.qps:.2f}×{extra}")
        out.append(f"| {engine_name(e)} | " + " | ".join(cells) + " |")
    out.append("")
    for t in (0.95, 0.99):
        q, p = best_q[t], best_peer[t]
        if q and p:
            pr = paired_ratios(q, p)
            out.append(f"* recall@10 ≥ {t}: Quiver {fmt_qps(q.qps)} QPS ({engine_name(q.peer)}, {q.label}) vs the best peer, "
                       f"{engine_name(p.peer)} ({p.label}), {fmt_qps(p.qps)} QPS: **{q.qps / p.qps:.2f}×**"
                       + (f" (the same two configurations round by round: {', '.join(f'{x:.2f}' for x in pr)})" if len(pr) > 1 else "")
                       + ".")
        elif q or p:
            out.append(f"* recall@10 ≥ {t}: reached only by {'Quiver' if q else 'the peers'} in this sweep.")
    qe = next((g for g in main if g.peer == "quiver-exact"), None)
    fe = next((g for g in main if g.peer == "faiss-IndexFlat"), None)
    if qe and fe:
        pr = paired_ratios(qe, fe)
        out.append(f"* Exact search alone: Quiver exact {fmt_qps(qe.qps)} QPS vs faiss IndexFlat {fmt_qps(fe.qps)} QPS: "
                   f"**{qe.qps / fe.qps:.2f}×**" + (f" (rounds {min(pr):.2f}–{max(pr):.2f})" if len(pr) > 1 else "") + ".")
    out.append("")
    # full table
    out.append("All configurations (medians over rounds; build = seconds with 1 / 2 threads; bytes = Quiver's "
               "`data.mdb`, a peer's saved index or on-disk store):\n")
    out.append("| engine | params | recall@10 | QPS 1 thread | QPS all cores | p50 ms | p99 ms | build s (1 / 2 thr.) | bytes | peak RSS | rounds | `cpu_util` |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for g in main:
        qa = fmt_qps(g.qps_all) + (f" ({g.r0.get('cores')} cores)" if g.qps_all and g.r0.get("cores") else "")
        out.append(f"| {engine_name(g.peer)} | {g.label} | {g.recall:.4f} | {fmt_qps(g.qps)} | {qa if g.qps_all else '–'} | "
                   f"{fmt_ms(g.p50)} | {fmt_ms(g.p99)} | {g.build()} | {fmt_mb(g.bytes)} | {fmt_rss(g.rss)} | {g.rounds} | "
                   f"{'–' if g.cpu is None else format(g.cpu, '.2f')} |")
    out.append("")
    out.append("(`cpu_util`: the query thread's CPU seconds per wall second over the timed passes, median over rounds; "
               "1.0 means it had a core to itself, above 1 that the engine used threads of its own.)\n")
    return out


def pq_table(ds, groups):
    out = []
    pq = [g for g in groups if g.filter is None and g.peer in PQ_ORDER]
    if not pq:
        return out
    pq.sort(key=lambda g: (order_of(g.peer, PQ_ORDER), sort_key_params(g.r0)))
    r = next((g.r0 for g in pq if g.peer == "quiver-hnsw-pq"), pq[0].r0)
    out.append(f"**Product quantization, {ds}** (m = d/4 sub-quantizers × 8 bits; `rerank` = candidates re-ranked with "
               "full vectors; Quiver's PQ store is a separate build with `skipSync: true`"
               + (f"; Quiver trained on {r.get('ntrain'):,} vectors in {r.get('train_s')} s on all cores + encoded in "
                  f"{r.get('encode_s')} s" if r.get("train_s") is not None and is_quiver(r["peer"]) else "")
               + "; faiss trains on one thread):\n")
    out.append("| engine | params | recall@10 | QPS 1 thread | p50 ms | p99 ms | bytes | rounds |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in pq:
        out.append(f"| {engine_name(g.peer)} | {g.label} | {g.recall:.4f} | {fmt_qps(g.qps)} | {fmt_ms(g.p50)} | "
                   f"{fmt_ms(g.p99)} | {fmt_mb(g.bytes)} | {g.rounds} |")
    out.append("")
    pairs = [("graph or scan", ("quiver-pq-scan", "quiver-hnsw-pq", "quiver-hnsw-pq-compressed"), "faiss"),
             ("flat scans only", ("quiver-pq-scan",), "faiss-IndexPQ")]
    for what, qpeers, fprefix in pairs:
        qpq = [g for g in pq if g.peer in qpeers]
        fpq = [g for g in pq if g.peer.startswith(fprefix)]
        for t in (0.9, 0.99):
            q, p = best_at(qpq, t), best_at(fpq, t)
            if q and p:
                out.append(f"* PQ ({what}), recall@10 ≥ {t}: Quiver {fmt_qps(q.qps)} QPS ({engine_name(q.peer)}, {q.label}) vs "
                           f"{engine_name(p.peer)} ({p.label}) {fmt_qps(p.qps)} QPS: **{q.qps / p.qps:.2f}×**.")
    if not any(g.peer.startswith(("faiss-IndexHNSWPQ", "faiss-IndexIVFPQ")) for g in pq):
        out.append("* Quick mode measures faiss's flat `IndexPQ` only: a graph over PQ codes (Quiver HNSW+PQ) against a "
                   "flat PQ scan is not a like-for-like pair; the full mode adds faiss `IndexHNSWPQ` and `IndexIVFPQ`.")
    out.append("")
    return out


def filtered_table(ds, groups):
    out = []
    fl = [g for g in groups if g.filter is not None]
    if not fl:
        return out
    filters = {}
    for g in fl:
        sel = g.r0.get("selectivity")
        if sel is None and g.r0.get("filter_pct") is not None:
            sel = g.r0["filter_pct"] / 100
        filters.setdefault(g.filter, sel)
        if filters[g.filter] is None:
            filters[g.filter] = sel
    out.append(f"**Filtered search, {ds}** (`label = i % 100`, so `label<p` keeps p% of the rows, as the peers' "
               "`--filtered`; Quiver adds `bucket = i % 1000` and an equality on `cat = \"c\" + i % 100`; recall "
               "against the exact filtered top 10; Quiver ef = 64; QPS one thread):\n")
    out.append("| filter | matching | Quiver planner: plan, recall, QPS | Quiver post-filter: recall, QPS | "
               "best peer at recall ≥ 0.95: engine, recall, QPS | Quiver / best peer | other peers (best recall, its QPS) |")
    out.append("| --- | ---: | --- | --- | --- | ---: | --- |")
    for f, sel in sorted(filters.items(), key=lambda kv: (kv[1] if kv[1] is not None else 2, kv[0])):
        gs = [g for g in fl if g.filter == f]
        planner = next((g for g in gs if g.peer == "quiver-filter-planner"), None)
        post = next((g for g in gs if g.peer == "quiver-filter-postfilter"), None)
        peers = [g for g in gs if not is_quiver(g.peer)]
        bp = best_at(peers, 0.95)
        plan = ""
        if planner:
            strat = planner.r0.get("strategies") or {}
            plan = ", ".join(f"{k}" for k in strat) or "?"
            plan = f"{plan}, {planner.recall:.3f}, {fmt_qps(planner.qps)}"
        others = []
        for e in dict.fromkeys(g.peer for g in peers):
            eg = [g for g in peers if g.peer == e]
            b = max(eg, key=lambda g: (g.recall, g.qps or 0))
            if bp is None or e != bp.peer:
                others.append(f"{engine_name(e)} {b.label if b.label != '–' else ''} {b.recall:.3f}, {fmt_qps(b.qps)}".replace("  ", " "))
        ratio = f"{planner.qps / bp.qps:.1f}×" if planner and bp and planner.recall >= 0.95 else "–"
        out.append(f"| `{f}` | {sel * 100:.1f}% | {plan or '–'} | "
                   + (f"{post.recall:.3f}, {fmt_qps(post.qps)}" if post else "–") + " | "
                   + (f"{engine_name(bp.peer)} {bp.label}, {bp.recall:.3f}, {fmt_qps(bp.qps)}" if bp else "none")
                   + f" | {ratio} | {'; '.join(others) or '–'} |")
    out.append("")
    return out


def retrieval_table(rows):
    ret = [r for r in rows if str(r.get("peer", "")).startswith(("quiver-retrieval-", "reference-"))]
    if not ret:
        return []
    out = ["### SciFact end to end (text in, nDCG@10 out)\n",
           "Quiver imports `scifact/corpus.tsv` (title + \"\\n\" + text) with its own encoder "
           "(`Store.importTSV`, batches of 1,000), encodes each query and searches exactly (k = 100). "
           "The reference row is the same exact search over the shared sentence-transformers "
           "all-MiniLM-L6-v2 embeddings (`scifact-minilm384`), computed with numpy in the same run: the "
           "quality Quiver's pure-Swift MiniLM should reproduce.\n",
           "| engine | encoder | queries | nDCG@10 | Recall@100 | MRR@10 | import rows/s | encoder share of import | query encode ms | search ms | peak RSS |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in ret:
        if r["peer"].startswith("reference-"):
            out.append(f"| {r['peer']} | {r['params'].get('encoder', '?')} | {r['queries']} | {r['ndcg_at_10']:.4f} | "
                       f"{r['recall_at_100']:.4f} | {r['mrr_at_10']:.4f} | – | – | – | {r.get('search_ms_mean', 0):.2f} | – |")
        else:
            out.append(f"| **Quiver** | {r['params'].get('config', r['params'].get('encoder'))} | {r['queries']} | "
                       f"{r['ndcg_at_10']:.4f} | {r['recall_at_100']:.4f} | {r['mrr_at_10']:.4f} | "
                       f"{r['import_rows_per_s']:,.1f} | {r['encoder_share_of_import']:.2f} | {r['query_encode_ms_mean']:.2f} | "
                       f"{r['search_ms_mean']:.2f} | {fmt_rss(r.get('peak_rss_mb'))} |")
    out.append("")
    return out


def plot(ds, groups, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    gs = [g for g in groups if g.filter is None and (g.peer in MAIN_ORDER or g.peer in PQ_ORDER)
          and g.peer not in ("quiver-exact-full", "quiver-hnsw-full") and g.qps and g.recall is not None]
    if not gs:
        return False
    fig, ax = plt.subplots(figsize=(7.5, 5), dpi=110)
    engines = list(dict.fromkeys(g.peer for g in sorted(gs, key=lambda g: (
        order_of(g.peer, MAIN_ORDER + PQ_ORDER), g.peer))))
    markers = "osD^v<>pPX*hH"
    for i, e in enumerate(engines):
        eg = [g for g in gs if g.peer == e]
        series = {re.sub(r"\bef=\d+ ?", "", g.label).strip() for g in eg}
        if len(series) <= 1:
            # one parameter swept (ef): every point, in sweep order, so noise shows as a zigzag
            front = [(g.qps, g.recall, g.label) for g in sorted(eg, key=lambda g: sort_key_params(g.r0))]
            name = engine_name(e).replace("**", "")
        else:
            # several parameters (PQ: ef x rerank): the Pareto front, no point both faster and more accurate
            pts = sorted(((g.qps, g.recall, g.label) for g in eg), key=lambda p: (-p[0], p[1]))
            front, best = [], -1.0
            for q, rc, lb in pts:
                if rc > best:
                    front.append((q, rc, lb))
                    best = rc
            name = engine_name(e).replace("**", "") + " (Pareto front)"
        q = is_quiver(e)
        pq = e in PQ_ORDER
        style = dict(marker=markers[i % len(markers)], linewidth=2.2 if q else 1.2, markersize=6 if q else 4.5,
                     linestyle=(":" if pq else "-") if q else ("-." if pq else "--"), alpha=1.0 if q else 0.85,
                     color=COLORS.get(e, f"C{i % 10}"))
        ax.plot([p[0] for p in front], [p[1] for p in front], label=name, **style)
        if e in ("quiver-hnsw", "hnswlib"):
            for qq, rc, lb in front:
                ax.annotate(lb.replace("ef=", ""), (qq, rc), textcoords="offset points", xytext=(3, -9), fontsize=6)
    r0 = gs[0].r0
    meta = groups_meta.get("meta", {})
    ax.set_xscale("log")
    fmt = matplotlib.ticker.FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x >= 1000 else f"{x:g}")
    ax.xaxis.set_major_formatter(fmt)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda x, _: fmt(x, _) if str(int(round(x / 10 ** math.floor(math.log10(x))))) in "25" else ""))
    ax.set_xlabel("queries per second, one thread (log scale)")
    ax.set_ylabel("recall@10")
    # the y axis starts a little below Quiver's lowest recall (at most 0.8), so that one weak
    # configuration (e.g. lancedb's IVF_PQ without re-ranking) does not squash the curves
    lo = min(g.recall for g in gs)
    qlo = min((g.recall for g in gs if is_quiver(g.peer)), default=lo)
    ymin = max(0.0, min(0.8, qlo - 0.02), lo - 0.02)
    ax.set_ylim(ymin, 1.005)
    hidden = [g for g in gs if g.recall < ymin]
    if hidden:
        ax.text(0.99, 0.01, "below the axis: " + "; ".join(f"{engine_name(g.peer).replace('**', '')} {g.label} "
                f"(recall {g.recall:.2f}, {fmt_qps(g.qps)} QPS)" for g in hidden),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=6, color="dimgray")
    ax.grid(True, which="both", alpha=0.3)
    rounds = max(g.rounds for g in gs)
    ax.set_title(f"{ds} ({r0.get('n', 0):,} × {r0.get('d', '?')}, {r0.get('metric', '?')}, {r0.get('nq', '?')} queries), k=10, "
                 f"HNSW M=16 efC=200\nmedians of up to {rounds} round(s); {meta.get('date_utc', '')[:10]}, "
                 f"{meta.get('cores', '?')}-core {'busy ' if groups_meta.get('busy') else ''}machine; labels = ef", fontsize=8)
    ax.legend(fontsize=7, loc="best", ncol=2)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


groups_meta = {}


def build_section(rows, plot_dir):
    meta = next((r for r in rows if r.get("meta")), {})
    end = next((r for r in rows if r.get("meta_end")), {})
    failed = [r for r in rows if r.get("failed")]
    data = [r for r in rows if "dataset" in r and "peer" in r]
    groups_meta["meta"] = meta
    busy = [r["busy_cores_before"] for r in data if "busy_cores_before" in r]
    groups_meta["busy"] = bool(busy) and st.median(busy) >= 0.5
    out = [BEGIN, "<!-- Generated by tools/bench (tools/bench_report.py); edits here are overwritten. -->",
           "## Side by side: Quiver and its peers (`tools/bench`)\n"]
    out += machine_section(meta, end, data, failed)
    out.append("")
    out.append(FAIRNESS)
    measured = [r for r in data if not str(r["peer"]).startswith(("quiver-retrieval-", "reference-", "diag-"))]
    datasets = list(dict.fromkeys(r["dataset"] for r in measured))
    groups = group_rows(measured)
    for ds in datasets:
        gs = [g for (d, *_), g in groups.items() if d == ds]
        out += main_tables(ds, gs, meta)
        out += pq_table(ds, gs)
        out += filtered_table(ds, gs)
        if plot_dir:
            try:
                path = os.path.join(plot_dir, f"bench-{ds}.png")
                if plot(ds, gs, path):
                    print(f"plot: {path}", file=sys.stderr)
            except ImportError:
                print("no matplotlib: no plots", file=sys.stderr)
    out += retrieval_table(data)
    if meta.get("mode") == "quick":
        out.append("_Quick mode: sift-small only. `tools/bench` without `--quick` adds scifact-minilm384, synth384, "
                   "usearch, faiss HNSWPQ/IVFPQ, the embedded databases, filtered search on both real sets and "
                   "SciFact end to end._\n")
    out.append(END)
    return "\n".join(out) + "\n"


def write_doc(doc, section):
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    if BEGIN in text and END in text:
        a = text.index(BEGIN)
        b = text.index(END) + len(END)
        if text[b:b + 1] == "\n":
            b += 1
        text = text[:a] + section + text[b:]
    else:
        # after the title line (and the paragraph right under it), before the first "## " heading
        i = text.find("\n## ")
        if i < 0:
            text = text.rstrip("\n") + "\n\n" + section
        else:
            text = text[:i + 1] + section + "\n" + text[i + 1:]
    with open(doc, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- reference retrieval quality
def reference_retrieval(emb_dir, text_dir, out_path):
    import time
    import numpy as np

    def fvecs(path):
        raw = np.fromfile(path, dtype=np.int32)
        d = raw[0]
        return raw.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()
    base, query = fvecs(os.path.join(emb_dir, "base.fvecs")), fvecs(os.path.join(emb_dir, "query.fvecs"))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    bids = open(os.path.join(emb_dir, "base.ids")).read().split()
    qids = open(os.path.join(emb_dir, "query.ids")).read().split()
    qrels = {}
    for line in open(os.path.join(text_dir, "qrels.tsv")):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3:
            qrels.setdefault(f[0], {})[f[1]] = int(f[2])
    t0 = time.perf_counter()
    scores = query @ base.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :100]
    search_ms = (time.perf_counter() - t0) / len(qids) * 1e3
    ndcg = rec = mrr = 0.0
    n = 0
    for qi, qid in enumerate(qids):
        rels = qrels.get(qid)
        if not rels or not any(v > 0 for v in rels.values()):
            continue
        n += 1
        ids = [bids[j] for j in top[qi]]
        dcg = sum((2 ** rels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ids[:10]) if rels.get(d, 0) > 0)
        ideal = sum((2 ** v - 1) / math.log2(i + 2) for i, v in enumerate(sorted((v for v in rels.values() if v > 0), reverse=True)[:10]))
        ndcg += dcg / ideal if ideal else 0
        relevant = {d for d, v in rels.items() if v > 0}
        rec += len([d for d in ids[:100] if d in relevant]) / len(relevant)
        rank = next((i for i, d in enumerate(ids[:10]) if d in relevant), None)
        mrr += 1 / (rank + 1) if rank is not None else 0
    r = {"dataset": "scifact", "peer": "reference-sentence-transformers",
         "params": {"encoder": "all-MiniLM-L6-v2 (sentence-transformers, shared scifact-minilm384)", "exact": True, "k": 100},
         "queries": n, "ndcg_at_10": round(ndcg / n, 4), "recall_at_100": round(rec / n, 4), "mrr_at_10": round(mrr / n, 4),
         "search_ms_mean": round(search_ms, 3)}
    with open(out_path, "a") as f:
        f.write(json.dumps(r) + "\n")
    print(json.dumps(r))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--reference-retrieval":
        reference_retrieval(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--doc")
    ap.add_argument("--plot-dir")
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    section = build_section(rows, a.plot_dir)
    print(section)
    if a.doc:
        write_doc(a.doc, section)
        print(f"wrote the generated section of {a.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
