#!/usr/bin/env python3
"""The exact-solver side of the tight-bank harness: reads each target/peer/<case>.json written by
`cargo bench --bench tight`, solves the instance with OR-Tools CP-SAT (2 workers, a time limit),
scores qbank's forms (100 seeds) and the solver's by the same measure, and prints the table for
BENCHMARKS.md.

Measure (both sides, from the instance JSON only):
  D1 = sum over forms and weight-table rows of |row points - target points|
  D2 = sum over forms and difficulty bands of |band points - mix points|
  D3 = max - min of the forms' mean p (points-weighted)
  Z  = W_function * D1 + W_difficulty * D2 + W_mean_p * D3   (weights from the instance)
Hard constraints: section counts, one item of an enemy group per form, pairwise overlap <= limit.

Usage: python3 tests/peer/solve.py [--time 60] [--workers 2] [--reuse] [target/peer]
"""

import argparse
import glob
import json
import os
import statistics
import sys
import time

from ortools.sat.python import cp_model

P_SCALE = 10_000  # p resolution in the solver's integer model (0.0001)


def terms(inst, forms):
    """D1, D2, D3 and Z of forms given as id lists; None if a hard constraint fails."""
    items = {it["id"]: it for it in inst["items"]}
    pts = {s["type"]: s["points"] for s in inst["sections"]}
    d1 = d2 = 0.0
    means = []
    for f in forms:
        if len(set(f)) != len(f):
            return None
        for s in inst["sections"]:
            if sum(1 for i in f if items[i]["type"] == s["type"]) != s["count"]:
                return None
        groups = [items[i]["enemy"] for i in f if items[i]["enemy"]]
        if len(groups) != len(set(groups)):
            return None
        total = sum(pts[items[i]["type"]] for i in f)
        for r in inst["rows"]:
            got = sum(pts[items[i]["type"]] for i in f if items[i]["row"] == r["row"])
            d1 += abs(got - r["target"])
        for b in inst["mix"] or []:
            got = sum(pts[items[i]["type"]] for i in f if items[i]["band"] == b["band"])
            d2 += abs(got - b["target"])
        means.append(sum(items[i]["p"] * pts[items[i]["type"]] for i in f) / total)
    for a in range(len(forms)):
        for b in range(a + 1, len(forms)):
            if len(set(forms[a]) & set(forms[b])) > inst["limit"]:
                return None
    d3 = max(means) - min(means) if len(means) > 1 else 0.0
    w = inst["weights"]
    z = w["function"] * d1 + w["difficulty"] * d2 + w["mean_p"] * d3
    return {"D1": d1, "D2": d2, "D3": d3, "Z": z}


def solve(inst, seconds, workers):
    m = cp_model.CpModel()
    items = inst["items"]
    F = inst["forms"]
    pts = {s["type"]: round(s["points"] * 100) for s in inst["sections"]}
    x = [[m.NewBoolVar(f"x{f}_{i}") for i in range(len(items))] for f in range(F)]
    for f in range(F):
        for s in inst["sections"]:
            m.Add(sum(x[f][i] for i, it in enumerate(items) if it["type"] == s["type"]) == s["count"])
        groups = {}
        for i, it in enumerate(items):
            if it["enemy"]:
                groups.setdefault(it["enemy"], []).append(i)
        for g in groups.values():
            m.Add(sum(x[f][i] for i in g) <= 1)
    for a in range(F):
        for b in range(a + 1, F):
            y = []
            for i in range(len(items)):
                v = m.NewBoolVar("")
                m.Add(v >= x[a][i] + x[b][i] - 1)
                y.append(v)
            m.Add(sum(y) <= inst["limit"])
    dev = []
    for f in range(F):
        for r in inst["rows"]:
            got = sum(pts[it["type"]] * x[f][i] for i, it in enumerate(items) if it["row"] == r["row"])
            d = m.NewIntVar(0, 100_000, "")
            t = round(r["target"] * 100)
            m.Add(d >= got - t)
            m.Add(d >= t - got)
            dev.append((inst["weights"]["function"], d))
        for b in inst["mix"] or []:
            got = sum(pts[it["type"]] * x[f][i] for i, it in enumerate(items) if it["band"] == b["band"])
            d = m.NewIntVar(0, 100_000, "")
            t = round(b["target"] * 100)
            m.Add(d >= got - t)
            m.Add(d >= t - got)
            dev.append((inst["weights"]["difficulty"], d))
    # mean p: every form has the same total points, so compare p-sums
    total = sum(pts[s["type"]] * s["count"] for s in inst["sections"])
    psum = []
    for f in range(F):
        psum.append(sum(round(it["p"] * P_SCALE) * pts[it["type"]] * x[f][i] for i, it in enumerate(items)))
    hi = m.NewIntVar(0, P_SCALE * total, "hi")
    lo = m.NewIntVar(0, P_SCALE * total, "lo")
    for s in psum:
        m.Add(hi >= s)
        m.Add(lo <= s)
    # objective in units of 1/(100 * P_SCALE * total) ... scaled to integers:
    # W*d (centipoints) * P_SCALE*total/100  +  W_mean_p * (hi - lo)
    k = P_SCALE * total // 100
    m.Minimize(sum(int(w * k) * d for w, d in dev) + int(inst["weights"]["mean_p"]) * (hi - lo))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    t = time.time()
    st = solver.Solve(m)
    el = time.time() - t
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {"status": solver.StatusName(st), "seconds": el}
    forms = [[it["id"] for i, it in enumerate(items) if solver.Value(x[f][i])] for f in range(F)]
    return {"status": solver.StatusName(st), "seconds": el, "forms": forms,
            "bound": solver.BestObjectiveBound() / k / 100}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="reuse <case>.solver.json from an earlier run")
    ap.add_argument("dir", nargs="?", default="target/peer")
    a = ap.parse_args()
    rows = []
    for path in sorted(glob.glob(os.path.join(a.dir, "*.json"))):
        if path.endswith(".solver.json"):
            continue
        data = json.load(open(path))
        inst = data["instance"]
        name = os.path.basename(path)[:-5]
        q = [r for r in data["qbank"] if "forms" in r]
        qt = [terms(inst, r["forms"]) for r in q]
        if any(t is None for t in qt):
            print(f"{name}: a qbank form breaks a hard constraint", file=sys.stderr)
            sys.exit(1)
        cached = path[:-5] + ".solver.json"
        if a.reuse and os.path.exists(cached):
            s = json.load(open(cached))["solver"]
        else:
            s = solve(inst, a.time, a.workers)
            json.dump({"solver": s}, open(cached, "w"), indent=1)
        st = terms(inst, s["forms"]) if "forms" in s else None
        ms = statistics.mean(r["ms"] for r in data["qbank"])
        row = {
            "case": name,
            "qbank_feasible": f"{len(q)}/{len(data['qbank'])}",
            "qbank_Z_mean": statistics.mean(t["Z"] for t in qt) if qt else None,
            "qbank_Z_worst": max(t["Z"] for t in qt) if qt else None,
            "qbank_D": (statistics.mean(t["D1"] for t in qt), statistics.mean(t["D2"] for t in qt),
                        max(t["D3"] for t in qt)) if qt else None,
            "qbank_ms": ms,
            "solver_status": s["status"],
            "solver_Z": st["Z"] if st else None,
            "solver_D": (st["D1"], st["D2"], st["D3"]) if st else None,
            "solver_bound": s.get("bound"),
            "solver_s": s["seconds"],
        }
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print()
    print("| case | qbank feasible | qbank Z mean / worst (D1, D2, max D3) | qbank ms | CP-SAT status | CP-SAT Z (D1, D2, D3) | CP-SAT bound | CP-SAT s | time ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        qd = r["qbank_D"]
        q = f"{r['qbank_Z_mean']:.3f} / {r['qbank_Z_worst']:.3f} ({qd[0]:.2f}, {qd[1]:.2f}, {qd[2]:.4f})" if qd else "—"
        sd = r["solver_D"]
        sz = f"{r['solver_Z']:.3f} ({sd[0]:.0f}, {sd[1]:.0f}, {sd[2]:.4f})" if sd else "—"
        b = f"{r['solver_bound']:.3f}" if r["solver_bound"] is not None else "—"
        print(f"| {r['case']} | {r['qbank_feasible']} | {q} | {r['qbank_ms']:.1f} | {r['solver_status']} | {sz} | {b} | {r['solver_s']:.1f} | {r['solver_s'] * 1000 / r['qbank_ms']:.0f}× |")


if __name__ == "__main__":
    main()
