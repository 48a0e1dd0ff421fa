#!/usr/bin/env python3
"""faiss IndexPQ (alone and with exact re-ranking) in the peers' JSON-line schema, for
tools/bench-store --pq: bench_ann.py covers IndexHNSWPQ and IndexIVFPQ but not a flat PQ scan.

Same rules as ../shared/bench/peers/bench_ann.py: m = d/4, 8 bits, training sample of
min(n, 50,000) rows drawn with numpy's default_rng(123) (65,536 when n >= 65,536), one build
thread, queries one at a time on one thread timed by common.time_queries; cosine data is
L2-normalised and searched with L2 (same ranking).

  bench-pq-faiss.py --peers DIR --data DIR --metric l2|cosine --name NAME [--m M] [--reranks 10,40,100] [--max-queries N] --out FILE
"""
import argparse
import os
import sys
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--peers", required=True, help="folder of bench_ann.py and common.py")
ap.add_argument("--data", required=True)
ap.add_argument("--metric", choices=["l2", "cosine"], required=True)
ap.add_argument("--name", default=None)
ap.add_argument("--m", type=int, default=0, help="bytes per code (default d/4)")
ap.add_argument("--reranks", default="10,40,100", help="re-rank short-list sizes (k_factor = R / 10)")
ap.add_argument("--repeats", type=int, default=5)
ap.add_argument("--max-queries", type=int, default=0, help="time only the first N queries")
ap.add_argument("--out", default=None)
a = ap.parse_args()
sys.path.insert(0, a.peers)
import common as C  # noqa: E402
import faiss  # noqa: E402

K = 10
faiss.omp_set_num_threads(1)
base, query, gt = C.load_dataset(a.data, a.metric)
if a.max_queries:
    query, gt = query[:a.max_queries], gt[:a.max_queries]
if a.metric == "cosine":
    C.normalize_inplace(base)
    C.normalize_inplace(query)
n, d = base.shape
m = a.m or d // 4
ds = a.name or C.dataset_name(a.data)
rss_data = C.current_rss_mb()

t0 = time.perf_counter()
index = faiss.IndexPQ(d, m, 8)
rs = np.random.default_rng(123)
ntrain = min(n, 50_000)
ntrain = min(n, max(ntrain, 65_536) if n >= 65_536 else ntrain)
sample = base[rs.choice(n, ntrain, replace=False)]
t1 = time.perf_counter()
index.train(sample)
train_s = time.perf_counter() - t1
index.add(base)
build_s = time.perf_counter() - t0
path = os.path.join(C.WORK_ROOT, f"faiss-pq-{os.getpid()}.index")
os.makedirs(C.WORK_ROOT, exist_ok=True)
faiss.write_index(index, path)
ibytes = os.path.getsize(path)
os.remove(path)
recon = index.reconstruct_n(0, n)
mse = float(np.mean(np.sum((recon - base) ** 2, axis=1)))
del recon


def record(peer, params, recall, tm, index_bytes, **extra):
    r = {"dataset": ds, "peer": peer, "params": params, "build_s": {"1": round(build_s, 3)},
         "index_bytes": index_bytes, "recall_at_10": round(recall, 4),
         "qps_1thread": tm["qps_1thread"], "p50_ms": tm["p50_ms"], "p99_ms": tm["p99_ms"],
         "peak_rss_mb": C.peak_rss_mb(), "rss_data_mb": rss_data, "qps_passes": tm["qps_passes"],
         "timed_queries": tm["timed_queries"], "cpu_util": tm.get("cpu_util"), "loadavg_1m": tm.get("loadavg_1m"),
         "n": n, "d": d, "nq": len(query), "metric": a.metric, "train_s": round(train_s, 3), "ntrain": int(ntrain),
         "quantization_mse": round(mse, 6), "versions": {"faiss": faiss.__version__, "numpy": np.__version__}}
    r.update(extra)
    C.emit(a.out, r)


def searcher(ix, params):
    def f(q):
        _, ids = ix.search(q[None, :], K, params=params)
        return ids[0]
    return f


def recall_of(results):
    arr = np.full((len(results), K), -1, dtype=np.int64)
    for i, r in enumerate(results):
        r = np.asarray(r, dtype=np.int64)[:K]
        arr[i, :len(r)] = r
    return C.recall_at_k(arr, gt, K)


common = {"pq_m": m, "pq_nbits": 8, "metric_impl": "L2 on normalized vectors" if a.metric == "cosine" else "L2"}
res, tm = C.time_queries(searcher(index, None), query, a.repeats)
record("faiss-IndexPQ", common, recall_of(res), tm, ibytes)
C.log(f"[faiss-IndexPQ] {ds}: recall {recall_of(res):.4f} qps {tm['qps_1thread']} train {train_s:.2f}s mse {mse:.5g}")
refine = faiss.IndexRefineFlat(index, faiss.swig_ptr(base))
for rerank in [int(x) for x in a.reranks.split(",")]:
    params = faiss.IndexRefineSearchParameters(k_factor=rerank / K)
    res, tm = C.time_queries(searcher(refine, params), query, a.repeats)
    record("faiss-IndexPQ+RefineFlat", {**common, "rerank_top": rerank}, recall_of(res), tm, ibytes + base.nbytes,
           index_bytes_note="PQ index + full float32 vectors for re-rank")
    C.log(f"[faiss-IndexPQ+RefineFlat] R={rerank}: recall {recall_of(res):.4f} qps {tm['qps_1thread']}")
