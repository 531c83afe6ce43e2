# SPDX-License-Identifier: MIT
"""bench/plots.py: the plots of docs/performance.md, drawn by gnuplot.

Each plot is a bar chart per environment (side by side), medians with the
p10-p90 spread as error bars where there is one, on a log scale (the
systems differ by orders of magnitude). Written as NAME.png (pngcairo) and
NAME.svg. A plot whose data is missing is not drawn.
"""
import os
import subprocess
import tempfile

ENV_LABEL = {"testvm": "test VM (TCG + nested KVM)", "host": "host (no KVM)"}

# name -> title, y label, scale, [(group, metric)] tried in order per system
PLOTS = [
    ("boot", "Boot to exit: hello", "ms (log)", 1e-3,
     [("boot", "exit_us"), ("microvm", "exit_us")]),
    ("first-output", "Boot to first output: hello", "ms (log)", 1e-3,
     [("boot", "first_us"), ("microvm", "first_us")]),
    ("memory", "Memory per idle instance (PSS)", "KiB (log)", 1,
     [("memory", "pss_kib")]),
    ("launch", "Launch rate: start, run, reap", "per second (log)", 1,
     [("launch", "per_s_cores")]),
    ("requests", "HTTP requests per second", "requests/s (log)", 1,
     [("net", "rps_c32")]),
    ("latency", "HTTP latency p50, 32 connections", "µs (log)", 1,
     [("net", "p50_us_c32")]),
]


def series(run, env, sources, scale):
    """[(system, median, p10, p90)] in first-seen order."""
    out, seen = [], set()
    for group, metric in sources:
        for r in run["results"]:
            if (r["env"], r["group"], r["metric"]) != (env, group, metric):
                continue
            if r["system"] in seen:
                continue
            seen.add(r["system"])
            v = r["value"] * scale
            out.append((r["system"], v, r.get("p10", r["value"]) * scale,
                        r.get("p90", r["value"]) * scale))
    return out


def draw(name, title, ylabel, panels, outdir, tmp):
    script = []
    for ext, term in (("png", "pngcairo size 1100,480 font 'sans,10'"),
                      ("svg", "svg size 1100,480 font 'sans,10'")):
        script += [f"set terminal {term}",
                   f"set output '{os.path.join(outdir, name + '.' + ext)}'",
                   f"set multiplot layout 1,{len(panels)} title '{title}'",
                   "set style data histograms",
                   "set style histogram errorbars gap 1 lw 1",
                   "set style fill solid 0.6 border -1",
                   "set termoption noenhanced",  # system names have '_'
                   "set logscale y", "set grid ytics", "unset key",
                   "set xtics rotate by -30", f"set ylabel '{ylabel}'"]
        for env, data in panels:
            path = os.path.join(tmp, f"{name}-{env}.dat")
            with open(path, "w", encoding="utf-8") as f:
                for system, v, lo, hi in data:
                    f.write(f"{system} {v} {lo} {hi}\n")
            low = min(d[2] for d in data)
            script += [f"set title '{ENV_LABEL.get(env, env)}'",
                       f"set yrange [{low / 3}:*]",
                       f"plot '{path}' using 2:3:4:xtic(1) lc rgb '#4477aa', "
                       f"'' using 0:($4*1.35):(sprintf($2 >= 100 ? '%.0f' : '%.3g', $2)) "
                       "with labels notitle"]
        script.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True,
                   timeout=120)


def write_all(run, outdir):
    os.makedirs(outdir, exist_ok=True)
    envs = sorted({r["env"] for r in run["results"]}, reverse=True)
    drawn = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, title, ylabel, scale, sources in PLOTS:
            panels = [(e, series(run, e, sources, scale)) for e in envs]
            panels = [p for p in panels if p[1]]
            if panels:
                draw(name, title, ylabel, panels, outdir, tmp)
                drawn.append(name)
    return drawn
