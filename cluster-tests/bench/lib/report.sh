# Turns $WORK/results.tsv into the summary, the Markdown report, the JSON and the chart (sourced by run.sh).
#
# results.tsv, one line per measured run:
#   scenario round contender rps p50_us p99_us cpu_us_per_req errors rss_kb requests warmup_errors
# summary.tsv, one line per scenario and contender (medians over rounds; ratios to HAProxy taken round by round, then
# the median; errors summed; peak RSS the highest of the rounds):
#   scenario contender runs rps p50_us p99_us cpu_us_per_req errors warmup_errors rss_mib rps/hap cpu/hap p99/hap

summarize() {  # results.tsv summary.tsv
  awk -F'\t' -v OFS='\t' '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      if (n == 0) return "-"
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function fmt(f, v) { return v == "-" ? "-" : sprintf(f, v) }
    {
      key = $1 SUBSEP $3
      if (!(key in runs)) order[++n] = key
      runs[key]++; errors[key] += $8; warm[key] += $11
      if ($9 != "-" && $9 + 0 > rss[key]) rss[key] = $9
      for (c = 4; c <= 7; c++) if ($c != "-") { list[key, c] = list[key, c] " " $c; v[$1, $2, $3, c] = $c }
      rounds[key] = rounds[key] " " $2
    }
    END {
      for (i = 1; i <= n; i++) {
        split(order[i], k, SUBSEP); s = k[1]; w = k[2]
        delete ratio
        m = split(rounds[order[i]], rs, " ")
        for (j = 1; j <= m; j++) for (c = 4; c <= 7; c++)
          if ((s, rs[j], w, c) in v && (s, rs[j], "haproxy", c) in v && v[s, rs[j], "haproxy", c] > 0)
            ratio[c] = ratio[c] " " v[s, rs[j], w, c] / v[s, rs[j], "haproxy", c]
        print s, w, runs[order[i]], fmt("%.0f", median(list[order[i], 4])), fmt("%.0f", median(list[order[i], 5])),
          fmt("%.0f", median(list[order[i], 6])), fmt("%.2f", median(list[order[i], 7])), errors[order[i]] + 0,
          warm[order[i]] + 0, (order[i] in rss) ? sprintf("%.1f", rss[order[i]] / 1024) : "-",
          fmt("%.3f", median(ratio[4])), fmt("%.3f", median(ratio[7])), fmt("%.3f", median(ratio[6]))
      }
    }' "$1" >"$2"
}

json_escape() { sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$1" | tr -d '\n'; }

# One JSON object on one line: facts, settings and the medians (and every run when the second argument is "rounds").
write_json() {  # summary.tsv [rounds]
  local facts="" key
  for key in "${FACT_KEYS[@]}"; do [[ -n ${FACTS[$key]:-} ]] || continue; facts+="\"$key\":\"$(json_escape "${FACTS[$key]}")\","; done
  # Through the environment, not -v: awk would undo the escaping of -v values.
  FACTS_JSON="{${facts%,}}" SETTINGS_JSON=$(settings_json) awk -F'\t' -v results="$RESULTS" -v with_rounds="${2:-}" '
    function num(v) { return (v == "-" || v == "") ? "null" : v + 0 }
    function q(v) { return "\"" v "\"" }
    BEGIN {
      printf "{\"harness\":\"tandem-bench\",\"machine\":%s,\"settings\":%s,\"medians\":{", ENVIRON["FACTS_JSON"],
        ENVIRON["SETTINGS_JSON"]
    }
    {
      if ($1 != last) { printf "%s%s:{", (last == "" ? "" : "},"), q($1); last = $1; sep = "" }
      printf "%s%s:{\"runs\":%d,\"rps\":%s,\"p50_us\":%s,\"p99_us\":%s,\"cpu_us_per_req\":%s,\"errors\":%d,", \
        sep, q($2), $3, num($4), num($5), num($6), num($7), $8
      printf "\"warmup_errors\":%d,\"peak_rss_mib\":%s,\"rps_vs_haproxy\":%s,\"cpu_vs_haproxy\":%s,\"p99_vs_haproxy\":%s}", \
        $9, num($10), num($11), num($12), num($13)
      sep = ","
    }
    END {
      printf "%s}", (last == "" ? "" : "}")
      if (with_rounds == "rounds") {
        printf ",\"runs\":["
        sep = ""
        while ((getline line < results) > 0) {
          split(line, f, "\t")
          printf "%s{\"scenario\":%s,\"round\":%d,\"contender\":%s,\"rps\":%s,\"p50_us\":%s,\"p99_us\":%s,", \
            sep, q(f[1]), f[2], q(f[3]), num(f[4]), num(f[5]), num(f[6])
          printf "\"cpu_us_per_req\":%s,\"errors\":%d,\"peak_rss_kib\":%s,\"requests\":%d,\"warmup_errors\":%d}", \
            num(f[7]), f[8], num(f[9]), f[10], f[11]
          sep = ","
        }
        printf "]"
      }
      print "}"
    }' "$1"
}

setting() { local value=${!1}; echo "${value//"$ROOT"\//}"; }  # a setting's value, paths relative to the repository

settings_json() {
  local name out="" sep=""
  for name in "${SETTING_NAMES[@]}"; do out+="$sep\"$name\":\"$(json_escape "$(setting "$name")")\""; sep=,; done
  echo "{$out}"
}

shown_args() {  # wrk arguments as the table gives them -> as the shell passed them
  local words=() word out=""
  eval "words=($1)"
  for word in "${words[@]}"; do [[ $word == *" "* ]] && out+=" '$word'" || out+=" $word"; done
  echo "${out# }"
}

write_markdown() {  # summary.tsv
  local key name
  echo "# Benchmark: Tandem, HAProxy and nginx side by side"
  echo
  echo "Written by \`cluster-tests/bench/run.sh\` on ${FACTS[date]}. How to read it: \`cluster-tests/bench/README.md\`."
  echo
  echo "## Machine"
  echo
  for key in "${FACT_KEYS[@]}"; do [[ $key == date || $key == command || -z ${FACTS[$key]:-} ]] || echo "- $key: ${FACTS[$key]}"; done
  echo
  echo "## Settings"
  echo
  echo "Command: \`${FACTS[command]}\`"
  echo
  for name in "${SETTING_NAMES[@]}"; do echo "- \`$name\`: \`$(setting "$name")\`"; done
  echo "- Balancer on core $LB_CORE (HAProxy \`nbthread 1\`, nginx \`worker_processes 1\`, Tandem sees one core); wrk"
  if [[ ${PROTOCOL:-fresh} == warm ]]; then
    echo "  or h2load (\`-t1\`) and the two nginx backends on core $LOAD_CORE. Warm protocol: every contender is started"
    echo "  once per scenario on its own port and warmed up under the same load (JVMs \`WARM_TIME\`, the others"
    echo "  \`NATIVE_WARMUP\`), then measured without a restart; contenders take turns within each round."
  else
    echo "  or h2load (\`-t1\`) and the two nginx backends on core $LOAD_CORE. Every contender is started afresh for each"
    echo "  run, warmed up under the same load, then measured; contenders take turns within each round."
  fi
  for key in "${!SKIPPED[@]}"; do echo "- **$key skipped**: ${SKIPPED[$key]}"; done
  echo
  echo "CPU µs/req is the balancer's user+sys time over the measured run (all processes and threads: JIT, GC,"
  echo "nginx master and worker) divided by the requests wrk (h2load, h3load) completed. Ratios to HAProxy are taken"
  echo "within each round, then the median. Errors are wrk socket errors plus non-2xx/3xx answers (h2load and h3load:"
  echo "every answer but 2xx, failed streams and connections included), summed over the measured runs (warm-up errors in"
  echo "brackets). Peak RSS is VmHWM summed over the balancer's processes, the highest of the rounds. h2load's and"
  echo "h3load's p50/p99 come from their per-request logs (nearest rank)."
  local line s path args overrides
  for line in "${SCENARIO_TABLE[@]}"; do
    IFS='|' read -r s path args overrides <<<"$line"
    s=$(trim "$s")
    grep -q "^$s"$'\t' "$1" || continue
    echo
    echo "## $s"
    echo
    local load="wrk -t1 -d${DURATION}s --latency"
    [[ $overrides != *MODE=h2c* ]] || load="h2load -t1 -D $DURATION --log-file=FILE"
    local over=""
    [[ $overrides != *MODE=h2tls* ]] || { load="h2load -t1 -D $DURATION --log-file=FILE"; over=" over HTTP/2 with TLS"; }
    [[ $overrides != *MODE=h3\ * ]] || { load="h3load -D $DURATION --log-file=FILE"; over=" over HTTP/3"; }
    echo "GET \`$(trim "$path")\`$over, \`$load $(shown_args "$args")\`$(
      [[ -n $(trim "$overrides") ]] && echo ", overrides \`$(trim "$overrides")\`")."
    echo
    echo "| contender | req/s | p50 µs | p99 µs | CPU µs/req | errors | peak RSS MiB | req/s ÷ HAProxy | CPU ÷ HAProxy | p99 ÷ HAProxy |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    awk -F'\t' -v s="$s" '$1 == s { printf "| %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s |\n",
      $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$1"
    companion_ratios "$1" "$s" "$overrides"
    echo
    echo "Every run:"
    echo
    echo "| round | contender | req/s | p50 µs | p99 µs | CPU µs/req | errors | peak RSS MiB |"
    echo "|--:|---|--:|--:|--:|--:|--:|--:|"
    awk -F'\t' -v s="$s" '$1 == s { printf "| %s | %s | %s | %s | %s | %s | %s (%s) | %s |\n", $2, $3, $4, $5, $6, $7,
      $8, $11, ($9 == "-") ? "-" : sprintf("%.1f", $9 / 1024) }' "$RESULTS"
  done
}

# A scenario with COMPANION=other (h3 beside h2-tls: the same node over another protocol): each contender's medians
# divided by its medians in the other scenario, when both were measured.
companion_ratios() {  # summary.tsv scenario overrides
  local companion
  companion=$(sed -n 's/.*COMPANION=\([^[:space:]]*\).*/\1/p' <<<"$3")
  [[ -n $companion ]] && grep -q "^$companion"$'\t' "$1" || return 0
  echo
  echo "Beside \`$companion\` (the same contender over the other protocol; medians divided by its medians there):"
  echo
  echo "| contender | req/s ÷ $companion | CPU µs/req ÷ $companion | p99 ÷ $companion |"
  echo "|---|--:|--:|--:|"
  awk -F'\t' -v s="$2" -v c="$companion" '
    function ratio(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.3f", a / b) }
    $1 == c { rps[$2] = $4; p99[$2] = $6; cpu[$2] = $7 }
    $1 == s { who[++n] = $2; mrps[$2] = $4; mp99[$2] = $6; mcpu[$2] = $7 }
    END { for (i = 1; i <= n; i++) { w = who[i]; if (w in cpu)
      printf "| %s | %s | %s | %s |\n", w, ratio(mrps[w], rps[w]), ratio(mcpu[w], cpu[w]), ratio(mp99[w], p99[w]) } }' "$1"
}

# Two clustered bar charts, one bar per contender in each scenario: CPU µs per request, and requests/s.
write_chart() {  # summary.tsv out.png
  command -v gnuplot >/dev/null || { log "gnuplot not found: no chart"; return 0; }
  local dat=$WORK/chart column
  for column in 7 4; do
    awk -F'\t' -v c="$column" '
      !($1 in row) { scen[++ns] = $1; row[$1] }
      !($2 in col) && !(c == 7 && $7 == "-") { who[++nw] = $2; col[$2] }
      { v[$1, $2] = $c }
      END {
        printf "scenario"; for (j = 1; j <= nw; j++) printf "\t%s", who[j]; print ""
        for (i = 1; i <= ns; i++) {
          printf "%s", scen[i]; for (j = 1; j <= nw; j++) printf "\t%s", ((scen[i], who[j]) in v) ? v[scen[i], who[j]] : "-"
          print ""
        }
      }' "$1" >"$dat-$column.tsv"
  done
  local terminal=png
  gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 && terminal=pngcairo
  gnuplot >"$WORK/gnuplot.log" 2>&1 <<EOF || { log "gnuplot failed: no chart (see ${WORK#"$ROOT"/}/gnuplot.log)"; return 0; }
set terminal $terminal size 1000,800 font ",10"
set output '$2'
set datafile separator "\t"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside right top
set grid ytics
set yrange [0:*]
set multiplot layout 2,1 title "${FACTS[date]}: ${FACTS[cpu]}, balancer on one core (lower CPU and higher req/s are better)"
set title "balancer CPU time per request (µs, median)"
$(plot_columns "$dat-7.tsv")
set title "requests per second (median)"
$(plot_columns "$dat-4.tsv")
unset multiplot
EOF
}

# A plot command with one bar series per contender column, each contender in the same colour in every panel.
plot_columns() {  # data.tsv
  local names colours="" name
  read -r -a names < <(head -1 "$1")
  for name in "${names[@]:1}"; do
    case $name in
      direct) colours+=" #999999" ;; haproxy) colours+=" #1f77b4" ;; nginx) colours+=" #2ca02c" ;;
      tandem) colours+=" #d62728" ;; *) colours+=" #9467bd" ;;
    esac
  done
  echo "plot for [i=2:${#names[@]}] '$1' using i:xtic(1) title columnheader(i) lc rgb word(\"$colours\", i-1)"
}
