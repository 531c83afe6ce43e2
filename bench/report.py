#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/report.py: turn benchmark lines into JSON, tables, plots, a check.

  report.py --json OUT.json [--doc docs/performance.md] [--plots DIR]
            [--check RESULTS_DIR] LINES.txt...

Reads the lines bench/stage prints (format in bench/lib.sh), plus "meta"
lines from bench/run. Writes OUT.json: the machine's description per
environment, the git revision, every result and note, and the ratios
between systems measured in the same run (bench/targets.py lists them,
with the targets). Prints the tables. --doc replaces the part of the page
between its "bench:begin" and "bench:end" markers with them; --plots
writes PNG and SVG plots there (gnuplot). --check compares the ratios
with the recorded results in RESULTS_DIR and exits 1 on a large slowdown
(a ratio of Husk to a baseline more than BENCH_CHECK_TOLERANCE, default
2, times worse). Exits 1 as well when a suite failed. Python's standard library
only (Debian's python3).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plots  # noqa: E402
import targets  # noqa: E402

ENV_TITLES = {
    "testvm": "test VM (QEMU TCG, nested SVM: real KVM, emulated CPU)",
    "host": "host (no /dev/kvm)",
}


def parse(paths):
    """All lines of all files: results, notes, environments, meta."""
    run = {"meta": {}, "env": {}, "results": [], "notes": []}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "meta":
                    run["meta"][w[1]] = " ".join(w[2:])
                elif len(w) >= 4 and w[0] == "info":
                    run["env"].setdefault(w[1], {})[w[2]] = " ".join(w[3:])
                elif len(w) >= 6 and w[0] == "result":
                    r = {"env": w[1], "group": w[2], "system": w[3],
                         "metric": w[4]}
                    try:
                        r["value"] = float(w[5])
                    except ValueError:
                        continue
                    for kv in w[6:]:
                        k, _, v = kv.partition("=")
                        try:
                            r[k] = float(v)
                        except ValueError:
                            r[k] = v
                    run["results"].append(r)
                elif len(w) >= 4 and w[0] == "note":
                    run["notes"].append({"env": w[1], "group": w[2],
                                         "system": w[3],
                                         "text": " ".join(w[4:])})
    return run


class Index:
    """Look results up by (env, group, system, metric)."""

    def __init__(self, results):
        self.by = {(r["env"], r["group"], r["system"], r["metric"]): r
                   for r in results}

    def get(self, env, group, system, metric):
        return self.by.get((env, group, system, metric))

    def value(self, env, group, system, metric):
        r = self.get(env, group, system, metric)
        return None if r is None else r["value"]


def compute_ratios(run):
    idx = Index(run["results"])
    kvm_env = "testvm" if any(r["env"] == "testvm" for r in run["results"]) else "host"
    out = []
    for t in targets.ratios(kvm_env):
        num = idx.get(*t["num"])
        den = idx.get(*t["den"]) if t.get("den") else None
        row = {k: t[k] for k in ("id", "what", "better", "comparable", "unit",
                                 "guard", "slack")}
        row.update(target=t.get("target"), op=t.get("op"),
                   num=list(t["num"]), den=list(t["den"]) if t.get("den") else None)
        if num is None or (t.get("den") and (den is None or den["value"] == 0)):
            row["value"] = None
        else:
            row["value"] = num["value"] / den["value"] if den else num["value"]
        if row["value"] is None or row["target"] is None:
            row["met"] = None
        elif row["op"] == "<=":
            row["met"] = row["value"] <= row["target"]
        else:
            row["met"] = row["value"] >= row["target"]
        out.append(row)
    return out


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if v != 0 and abs(v) < 1:
        return f"{v:.3g}" + unit
    if abs(v) >= 100:
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + unit


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def ratio_text(row):
    if row["value"] is None:
        return "not measured"
    unit = row.get("unit") or ("×" if row["den"] else "")
    return fmt(row["value"], unit)


def targets_table(run, ratios):
    rows = []
    for r in ratios:
        if r["target"] is None:
            continue
        env = r["num"][0] if r["comparable"] else "different environments"
        met = {True: "met", False: "**not met**", None: "not measured"}[r["met"]]
        rows.append([r["id"], r["what"], f"{r['op']} {fmt(r['target'])}",
                     ratio_text(r), env, met])
    return table(["#", "target", "target value", "measured", "where", "status"],
                 rows)


def stat_cell(r, scale=1.0, unit=""):
    if r is None:
        return "n/a"
    s = fmt(r["value"] * scale, unit)
    if "p10" in r and "p90" in r and r.get("n", 0) >= 3:
        s += f" ({fmt(r['p10'] * scale)}–{fmt(r['p90'] * scale)})"
    return s


def group_tables(run):
    """One table per (environment, group): every system and metric."""
    idx = Index(run["results"])
    parts = []
    for env in sorted({r["env"] for r in run["results"]}, reverse=True):
        for group, spec in targets.TABLES:
            systems = []
            for r in run["results"]:
                if r["env"] == env and r["group"] == group and r["system"] not in systems:
                    systems.append(r["system"])
            if not systems:
                continue
            cols = [c for c in spec["columns"]
                    if any(idx.get(env, group, x, c[0]) for x in systems)]
            spec = dict(spec, columns=cols)
            header = ["system"] + [c[1] for c in cols]
            rows = []
            for s in systems:
                row = [s]
                for metric, _title, scale, bases in spec["columns"]:
                    r = idx.get(env, group, s, metric)
                    cell = stat_cell(r, scale)
                    names = [x(s) if callable(x) else x for x in bases]
                    base = next((x for x in names if idx.get(env, group, x, metric)), None)
                    b = idx.get(env, group, base, metric) if base else None
                    if r is not None and b is not None and b["value"] and s != base:
                        cell += f" = {r['value'] / b['value']:.3g}× {base}"
                    row.append(cell)
                rows.append(row)
            parts.append(f"**{spec['title']}** ({ENV_TITLES.get(env, env)}; "
                         f"{spec['how']})\n\n" + table(header, rows))
    return "\n\n".join(parts)


def env_table(run):
    keys = ["cpu", "cores", "kernel", "kvm", "virt", "memory_kib"]
    rows = [[k] + [run["env"][e].get(k, "") for e in sorted(run["env"])]
            for k in keys]
    return table(["", *sorted(run["env"])], rows)


def notes_list(run):
    return "\n".join(f"- {n['env']}, {n['group']}, {n['system']}: {n['text']}"
                     for n in run["notes"]) or "- none"


def render(run, ratios, plot_files):
    m = run["meta"]
    seconds = {e: {k[8:]: v for k, v in d.items() if k.startswith("seconds_")}
               for e, d in run["env"].items()}
    dirty = " (with uncommitted changes)" if m.get("dirty") == "yes" else ""
    head = (f"Recorded by `{m.get('command', '?')}` on {m.get('date', '?')}, "
            f"commit `{m.get('git', '?')[:12]}`{dirty}, mode {m.get('mode')}, "
            f"{m.get('seconds', '?')} s in all (per suite: "
            + "; ".join(f"{e}: " + ", ".join(f"{k} {v} s" for k, v in d.items())
                        for e, d in seconds.items()) + ").")
    body = [head, "### Environments", env_table(run),
            "### Targets", targets_table(run, ratios),
            "### All ratios", table(
                ["#", "ratio", "value", "comparable"],
                [[r["id"], r["what"], ratio_text(r),
                  "yes" if r["comparable"] else "**no: different environments**"]
                 for r in ratios]),
            "### Measurements (median, p10–p90 in brackets)", group_tables(run),
            "### Notes", notes_list(run)]
    if plot_files:
        body.append("### Plots")
        body += [f"![{name}](perf/{name}.png)" for name in plot_files]
    return "\n\n".join(body) + "\n"


def replace_section(path, text):
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    with open(path, encoding="utf-8") as f:
        page = f.read()
    if begin not in page or end not in page:
        page = page.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    a, rest = page.split(begin, 1)
    _, b = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{a}{begin}\n{text}{end}{b}")


def check(ratios, results_dir, tolerance):
    """Compare Husk's same-environment ratios with the recorded run: the
    newest full one (more trials: a steadier reference), else the newest."""
    recorded = []
    for name in os.listdir(results_dir):
        if name.endswith(".json"):
            with open(os.path.join(results_dir, name), encoding="utf-8") as f:
                recorded.append(json.load(f))
    if not recorded:
        print("bench-check: nothing recorded in", results_dir, "yet")
        return 1
    last = max(recorded, key=lambda r: (r.get("mode") == "full", r.get("date", "")))
    old = {r["id"]: r for r in last["ratios"]}
    print(f"bench-check: against the {last.get('mode')} run of "
          f"{last.get('date')} (commit {last.get('git', {}).get('rev', '?')[:12]}); "
          f"a ratio more than {tolerance}× worse fails")
    failed = 0
    for r in ratios:
        o = old.get(r["id"])
        if not r.get("guard") or r["value"] is None or o is None or not o.get("value"):
            continue
        worse = r["value"] / o["value"] if r["better"] == "lower" else o["value"] / r["value"]
        verdict = "ok"
        if worse > tolerance * r.get("slack", 1.0):
            verdict = "SLOWER"
            failed += 1
        print(f"  {verdict:6} {r['id']:4} {r['what']}: {fmt(o['value'])} -> "
              f"{fmt(r['value'])} ({worse:.2f}× the recorded)")
    if failed:
        print(f"bench-check: FAILED: {failed} ratio(s) more than {tolerance}× worse")
    else:
        print("bench-check: no large slowdown")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--doc")
    ap.add_argument("--plots")
    ap.add_argument("--check")
    ap.add_argument("lines", nargs="+")
    a = ap.parse_args()
    run = parse(a.lines)
    ratios = compute_ratios(run)
    m = run["meta"]
    doc = {"schema": 1, "mode": m.get("mode"), "date": m.get("date"),
           "command": m.get("command"), "seconds": float(m.get("seconds", 0)),
           "git": {"rev": m.get("git"), "dirty": m.get("dirty") == "yes"},
           "environments": run["env"], "ratios": ratios,
           "results": run["results"], "notes": run["notes"]}
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    plot_files = plots.write_all(run, a.plots) if a.plots else []
    text = render(run, ratios, plot_files)
    print(text)
    if a.doc:
        replace_section(a.doc, text)
    status = 0
    failed = [n for n in run["notes"] if n["text"].startswith("failed")]
    for n in failed:
        print(f"bench: FAILED: {n['env']} {n['group']}: {n['text']}", file=sys.stderr)
        status = 1
    if a.check:
        tol = float(os.environ.get("BENCH_CHECK_TOLERANCE", "2"))
        status |= check(ratios, a.check, tol)
    return status


if __name__ == "__main__":
    sys.exit(main())
