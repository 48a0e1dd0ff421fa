#!/usr/bin/env python3
"""Filtered k-NN peers on exactly the filters QuiverBench filtered runs (issue 7).

Row i carries bucket = i % 1000, label = i % 100 and price = ((i * 2654435761) % 10007) / 10007
(a float in [0, 1) that does not follow the row order). The filters, by the names both sides emit:

    bucket < 1                        0.1%
    label < 1                         1%
    cat = "c7"                        1%   (peers: label = 7; Quiver: a keyword field cat = "c" + label)
    label < 10                        10%
    label < 50                        50%
    label < 100                       100%
    price >= 0.25 AND price < 0.3     ~5%  (a two-sided range on a float field)

Peers, each with its own filter mechanism, one query at a time on one thread
(../shared/bench/peers/common.py time_queries, as every other peer figure):

    hnswlib      filter callable (a Python lookup of a precomputed bitmap), ef 16/32/64/128
    faiss-hnsw   IndexHNSWFlat + IDSelectorBitmap in SearchParametersHNSW, efSearch 16/32/64/128
    faiss-flat   IndexFlat + IDSelectorBitmap (exact; distances only for selected rows)
    usearch      usearch 2.x's Python API has no predicate: post-filter of an oversampled top
                 min(n, ceil(2k / selectivity)) with expansion_search = max(64, that count)
    chromadb     where-clause (defaults: its HNSW with metadata pre-filtering)
    lancedb      where(sql, prefilter=True) without a vector index (exact)
    sqlite-vec   vec0 metadata columns in the KNN WHERE clause (exact)

Recall@10 is against the exact filtered top 10 (numpy, float32, cached in PEERS_WORK).
HNSW builds: M=16, efConstruction=200, BUILD_THREADS threads (default 2), timed once.

    python tools/bench-filter-peers.py --shared ../shared --data DIR --metric cosine --name synth384 \
        --peers hnswlib,faiss-hnsw,faiss-flat,usearch,chromadb,lancedb,sqlite-vec --max-queries 200 --out OUT.jsonl
"""
import argparse
import gc
import hashlib
import json
import math
import os
import shutil
import sys
import time

import numpy as np

os.environ.setdefault("LANCE_LOG", "error")  # lance warns on every query that _distance is projected
os.environ.setdefault("RUST_LOG", "error")
K = 10
M, EFC = 16, 200
FILTER_EFS = (16, 32, 64, 128)  # --efs replaces it


def columns(n):
    i = np.arange(n, dtype=np.int64)
    return {"bucket": i % 1000, "label": i % 100, "price": ((i * 2654435761) % 10007) / 10007.0}


def filters(cols):
    """(name as QuiverBench writes it, mask, chroma where, SQL where) per filter."""
    b, lab, pr = cols["bucket"], cols["label"], cols["price"]
    return [
        ("bucket < 1", b < 1, {"bucket": {"$lt": 1}}, "bucket < 1"),
        ("label < 1", lab < 1, {"label": {"$lt": 1}}, "label < 1"),
        ('cat = "c7"', lab == 7, {"label": 7}, "label = 7"),
        ("label < 10", lab < 10, {"label": {"$lt": 10}}, "label < 10"),
        ("label < 50", lab < 50, {"label": {"$lt": 50}}, "label < 50"),
        ("label < 100", lab < 100, {"label": {"$lt": 100}}, "label < 100"),
        ("price >= 0.25 AND price < 0.3", (pr >= 0.25) & (pr < 0.3),
         {"$and": [{"price": {"$gte": 0.25}}, {"price": {"$lt": 0.3}}]}, "price >= 0.25 AND price < 0.3"),
    ]


class Ctx:
    def __init__(self, a, C):
        self.a, self.C = a, C
        self.base, self.query, _ = C.load_dataset(a.data, a.metric)
        if a.max_queries:
            self.query = self.query[:a.max_queries]
        if a.metric == "cosine":
            C.normalize_inplace(self.base)
            C.normalize_inplace(self.query)
        self.n, self.d = self.base.shape
        self.cols = columns(self.n)
        self.filters = filters(self.cols)
        self.truth = {name: self.filtered_truth(name, mask) for name, mask, _, _ in self.filters}
        gc.collect()

    def filtered_truth(self, name, mask):
        C = self.C
        h = hashlib.sha1()
        h.update(self.base[:1000].tobytes()); h.update(self.query.tobytes())
        h.update(f"{self.base.shape}{self.a.metric}{name}".encode())
        os.makedirs(C.GT_CACHE, exist_ok=True)
        path = os.path.join(C.GT_CACHE, f"qfilt-{h.hexdigest()[:16]}.ivecs")
        if os.path.exists(path):
            return C.read_ivecs(path).astype(np.int64)
        g = C.exact_knn(self.base, self.query, K, self.a.metric, mask=mask, block=64)
        C.write_ivecs(path, g.astype(np.int32))
        return g

    def recall(self, results, name):
        truth = self.truth[name]
        arr = np.full((len(results), K), -1, dtype=np.int64)
        for i, r in enumerate(results):
            r = np.asarray(r, dtype=np.int64)[:K]
            arr[i, :len(r)] = r
        return self.C.recall_at_k(arr, truth, K)

    def rec(self, peer, name, mask, params, build_s, results, timing, versions):
        r = {"dataset": self.a.name, "peer": peer, "filter": name,
             "selectivity": round(float(mask.mean()), 5), "params": params, "build_s": round(build_s, 3),
             "recall_at_10": round(self.recall(results, name), 4), "qps_1thread": timing["qps_1thread"],
             "p50_ms": timing["p50_ms"], "p99_ms": timing["p99_ms"], "qps_passes": timing["qps_passes"],
             "timed_queries": timing["timed_queries"], "cpu_util": timing.get("cpu_util"),
             "loadavg_1m": timing.get("loadavg_1m"), "peak_rss_mb": self.C.peak_rss_mb(),
             "n": self.n, "d": self.d, "nq": len(self.query), "metric": self.a.metric, "versions": versions}
        self.C.log(f"[{peer}] {name} ({r['selectivity'] * 100:.2f}%) {params}: recall {r['recall_at_10']}, "
                   f"{r['qps_1thread']} QPS")
        self.C.emit(self.a.out, r)

    def time(self, fn):
        return self.C.time_queries(fn, self.query, self.a.repeats)


def cached_index(ctx, kind, build, save, load):
    """(index, build seconds): built by build(), or with --index-cache loaded from an earlier
    round's save (the build time reported is that first build's)."""
    path = None
    if ctx.a.index_cache:
        os.makedirs(ctx.a.index_cache, exist_ok=True)
        path = os.path.join(ctx.a.index_cache, f"{ctx.a.name}-{kind}-{ctx.n}x{ctx.d}-{ctx.a.metric}-M{M}-efc{EFC}.index")
        if os.path.exists(path) and os.path.exists(path + ".json"):
            with open(path + ".json") as f:
                build_s = json.load(f)["build_s"]
            ctx.C.log(f"[{kind}] reusing the index built in an earlier round ({path})")
            return load(path), build_s
    t0 = time.perf_counter()
    idx = build()
    build_s = time.perf_counter() - t0
    if path:
        save(idx, path)
        with open(path + ".json", "w") as f:
            json.dump({"build_s": build_s}, f)
    return idx, build_s


def run_hnswlib(ctx):
    import hnswlib
    space = "cosine" if ctx.a.metric == "cosine" else "l2"

    def build():
        idx = hnswlib.Index(space=space, dim=ctx.d)
        idx.init_index(max_elements=ctx.n, ef_construction=EFC, M=M, random_seed=100)
        idx.add_items(ctx.base, np.arange(ctx.n), num_threads=ctx.a.build_threads)
        return idx

    def load(path):
        idx = hnswlib.Index(space=space, dim=ctx.d)
        idx.load_index(path, max_elements=ctx.n)
        return idx

    idx, build_s = cached_index(ctx, "hnswlib", build, lambda idx, path: idx.save_index(path), load)
    idx.set_num_threads(1)
    for name, mask, _, _ in ctx.filters:
        allowed = bytes(mask.astype(np.uint8))
        pred = allowed.__getitem__  # returns 0/1 for an id; the cheapest callable Python offers
        for ef in FILTER_EFS:
            idx.set_ef(ef)
            try:
                res, tm = ctx.time(lambda q: idx.knn_query(q, k=K, num_threads=1, filter=pred)[0][0])
            except RuntimeError as e:  # fewer than k reachable matches
                ctx.C.log("hnswlib filtered error", name, ef, e)
                continue
            ctx.rec("hnswlib", name, mask, {"M": M, "efConstruction": EFC, "ef": ef,
                                            "filter_impl": "python callable (bitmap lookup)"},
                    build_s, res, tm, {"hnswlib": getattr(hnswlib, "__version__", "?")})


def run_faiss(ctx, kind):
    import faiss
    faiss.omp_set_num_threads(ctx.a.build_threads)

    def build():
        if kind == "hnsw":
            idx = faiss.IndexHNSWFlat(ctx.d, M)  # normalised input: L2 ranking == cosine ranking
            idx.hnsw.efConstruction = EFC
        else:
            idx = faiss.IndexFlatL2(ctx.d)
        idx.add(ctx.base)
        return idx

    if kind == "hnsw":
        idx, build_s = cached_index(ctx, "faiss-hnsw", build, faiss.write_index, faiss.read_index)
    else:
        t0 = time.perf_counter()
        idx = build()
        build_s = time.perf_counter() - t0
    faiss.omp_set_num_threads(1)
    ver = {"faiss": faiss.__version__}
    for name, mask, _, _ in ctx.filters:
        bm = np.packbits(mask.astype(np.uint8), bitorder="little")
        sel = faiss.IDSelectorBitmap(ctx.n, faiss.swig_ptr(bm))
        if kind == "hnsw":
            confs = [({"efSearch": ef}, faiss.SearchParametersHNSW(efSearch=ef, sel=sel)) for ef in FILTER_EFS]
        else:
            confs = [({}, faiss.SearchParameters(sel=sel))]
        for prm, sp in confs:
            def f(q, sp=sp):
                _, ids = idx.search(q.reshape(1, -1), K, params=sp)
                return ids[0]
            res, tm = ctx.time(f)
            peer = "faiss-HNSWFlat" if kind == "hnsw" else "faiss-Flat"
            ctx.rec(peer, name, mask, {**({"M": M, "efConstruction": EFC} if kind == "hnsw" else {}), **prm,
                                       "filter_impl": "IDSelectorBitmap via SearchParameters"},
                    build_s, res, tm, ver)
        del bm


def run_usearch(ctx):
    import usearch
    from usearch.index import Index
    metric = "cos" if ctx.a.metric == "cosine" else "l2sq"
    t0 = time.perf_counter()
    idx = Index(ndim=ctx.d, metric=metric, dtype="f32", connectivity=M, expansion_add=EFC, expansion_search=64)
    idx.add(np.arange(ctx.n, dtype=np.uint64), ctx.base, threads=ctx.a.build_threads)
    build_s = time.perf_counter() - t0
    for name, mask, _, _ in ctx.filters:
        s = max(float(mask.mean()), 1.0 / ctx.n)
        count = min(ctx.n, int(math.ceil(2 * K / s)))
        idx.expansion_search = max(64, count)

        def f(q, count=count, mask=mask):
            ks = idx.search(q, count, threads=1).keys.astype(np.int64)
            return ks[mask[ks]][:K]
        res, tm = ctx.time(f)
        ctx.rec("usearch-f32", name, mask, {"connectivity": M, "expansion_add": EFC,
                                            "expansion_search": idx.expansion_search, "count": count,
                                            "filter_impl": f"post-filter of top {count} (no predicate in the Python API)"},
                build_s, res, tm, {"usearch": usearch.__version__})


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):
        os.remove(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)


def run_chroma(ctx, root):
    import chromadb
    path = os.path.join(root, "chroma")
    fresh(path)
    space = "cosine" if ctx.a.metric == "cosine" else "l2"
    client = chromadb.PersistentClient(path=path)
    t0 = time.perf_counter()
    col = client.create_collection("bench", configuration={"hnsw": {"space": space}}, embedding_function=None)
    bs = min(5000, client.get_max_batch_size())
    cols = ctx.cols
    for s in range(0, ctx.n, bs):
        e = min(ctx.n, s + bs)
        col.add(ids=[str(i) for i in range(s, e)], embeddings=ctx.base[s:e],
                metadatas=[{"bucket": int(cols["bucket"][i]), "label": int(cols["label"][i]),
                            "price": float(cols["price"][i])} for i in range(s, e)])
    build_s = time.perf_counter() - t0
    for name, mask, where, _ in ctx.filters:
        def f(q, where=where):
            r = col.query(query_embeddings=[q], n_results=K, where=where, include=[])
            return [int(x) for x in r["ids"][0]]
        res, tm = ctx.time(f)
        ctx.rec("chromadb", name, mask, {"space": space, "defaults": True, "where": str(where)},
                build_s, res, tm, {"chromadb": chromadb.__version__})


def run_lance(ctx, root):
    import lancedb
    import pyarrow as pa
    path = os.path.join(root, "lance")
    fresh(path)
    metric = "cosine" if ctx.a.metric == "cosine" else "l2"
    db = lancedb.connect(path)
    vec = pa.FixedSizeListArray.from_arrays(pa.array(ctx.base.reshape(-1), type=pa.float32()), ctx.d)
    data = pa.table({"id": pa.array(np.arange(ctx.n), pa.int64()),
                     "bucket": pa.array(ctx.cols["bucket"], pa.int64()),
                     "label": pa.array(ctx.cols["label"], pa.int64()),
                     "price": pa.array(ctx.cols["price"], pa.float64()), "vector": vec})
    t0 = time.perf_counter()
    tbl = db.create_table("bench", data=data, mode="overwrite")
    build_s = time.perf_counter() - t0
    for name, mask, _, sql in ctx.filters:
        def f(q, sql=sql):
            qb = tbl.search(q).distance_type(metric).limit(K).select(["id"]).where(sql, prefilter=True)
            return qb.to_arrow()["id"].to_numpy()
        res, tm = ctx.time(f)
        ctx.rec("lancedb", name, mask, {"index": "none (exact scan, default)", "where": sql},
                build_s, res, tm, {"lancedb": lancedb.__version__})


def run_sqlite_vec(ctx, root):
    import pysqlite3 as sqlite3
    import sqlite_vec
    path = os.path.join(root, "vec.db")
    fresh(path)
    metric = "cosine" if ctx.a.metric == "cosine" else "l2"
    con = sqlite3.connect(path)
    con.enable_load_extension(True)
    sqlite_vec.load(con)
    con.enable_load_extension(False)
    con.execute(f"create virtual table v using vec0(embedding float[{ctx.d}] distance_metric={metric}, "
                f"bucket integer, label integer, price float)")
    t0 = time.perf_counter()
    con.execute("begin")
    cols = ctx.cols
    con.executemany("insert into v(rowid, embedding, bucket, label, price) values (?, ?, ?, ?, ?)",
                    ((i, ctx.base[i].tobytes(), int(cols["bucket"][i]), int(cols["label"][i]),
                      float(cols["price"][i])) for i in range(ctx.n)))
    con.commit()
    build_s = time.perf_counter() - t0
    ver = {"sqlite-vec": con.execute("select vec_version()").fetchone()[0]}
    for name, mask, _, sql in ctx.filters:
        q_sql = f"select rowid from v where embedding match ? and k = {K} and {sql}"

        def f(q, q_sql=q_sql):
            return [r[0] for r in con.execute(q_sql, (q.tobytes(),))]
        res, tm = ctx.time(f)
        ctx.rec("sqlite-vec", name, mask, {"index": "none (exact scan)", "where": sql}, build_s, res, tm, ver)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", required=True, help="the ../shared folder (for bench/peers/common.py)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--metric", choices=["l2", "cosine"], required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--peers", default="hnswlib,faiss-hnsw,faiss-flat,usearch,chromadb,lancedb,sqlite-vec")
    ap.add_argument("--max-queries", type=int, default=0)
    ap.add_argument("--efs", default=None, help="comma-separated ef grid for the HNSW peers (default 16,32,64,128)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--index-cache", default=None,
                    help="keep the hnswlib and faiss HNSW indexes here and reuse them in later rounds")
    a = ap.parse_args()
    if a.efs:
        global FILTER_EFS
        FILTER_EFS = tuple(int(e) for e in a.efs.split(","))
    sys.path.insert(0, os.path.join(a.shared, "bench", "peers"))
    import common as C
    ctx = Ctx(a, C)
    root = os.path.join(C.WORK_ROOT, "filter-db")
    runners = {"hnswlib": lambda: run_hnswlib(ctx), "faiss-hnsw": lambda: run_faiss(ctx, "hnsw"),
               "faiss-flat": lambda: run_faiss(ctx, "flat"), "usearch": lambda: run_usearch(ctx),
               "chromadb": lambda: run_chroma(ctx, root), "lancedb": lambda: run_lance(ctx, root),
               "sqlite-vec": lambda: run_sqlite_vec(ctx, root)}
    for peer in a.peers.split(","):
        if peer not in runners:
            sys.exit(f"bench-filter-peers: unknown peer {peer!r} (known: {', '.join(runners)})")
    for peer in a.peers.split(","):
        C.log(f"== {peer} on {a.name}")
        runners[peer]()
        gc.collect()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
