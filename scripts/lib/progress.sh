# shellcheck shell=bash
# Progress for the long steps of scripts/build, scripts/test, scripts/demo and
# the Go builds of scripts/k8s-testenv/build and scripts/helm/build: nothing
# sits silent for minutes. Sourced; writes progress to stderr.
#
# On a terminal (stderr is a tty): one status line rewritten in place
# ("\r"), with the [n/N] counter, elapsed time and an estimate of what is
# left. Otherwise (a CI log, a pipe): a plain line every
# PROGRESS_INTERVAL seconds (30) or every 10 % of the counter, whichever
# comes first, never a carriage return.
#
#   progress_ninja LABEL CMD...       run a build (cmake --build / ninja) with
#                                     its [n/N] counter; other output (compiler
#                                     warnings, errors) goes to stdout as is
#   progress_go_build LABEL GO PKG FLAGS...
#                                     `GO build -v FLAGS PKG` counting compiled
#                                     packages against `GO list -deps PKG`
#   progress_quiet LABEL LOG CMD...   run CMD with its output in LOG, a
#                                     heartbeat while it runs, LOG's tail on
#                                     failure
#   progress_timed CMD...             run CMD, then say how long it took
#   progress_note TEXT                one line, also in logs
#   progress_duration SECONDS         "4m05s"

PROGRESS_INTERVAL=${PROGRESS_INTERVAL:-30}
if [ -t 2 ] && [ "${TERM:-dumb}" != dumb ]; then PROGRESS_TTY=1; else PROGRESS_TTY=0; fi

progress_duration() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

progress_note() { printf '%s\n' "$*" >&2; }

# _progress_show LABEL DONE TOTAL START WHAT FINAL: one status line (tty) or,
# in a log, one line when due. Uses and updates _progress_last_print and
# _progress_last_decile of the caller.
_progress_show() {
  local label=$1 done=$2 total=$3 start=$4 what=$5 final=${6:-0}
  local elapsed=$((SECONDS - start)) count="" pct="" eta="" text
  if [ "$total" -gt 0 ]; then
    count=" [$done/$total]"
    # go's total is an upper bound (cached packages are never counted):
    # no percentage or estimate from it.
    [ "${_progress_exact:-1}" = 1 ] || count=" [$done of <=$total packages]"
    [ "${_progress_exact:-1}" = 0 ] || pct=" $((done * 100 / total))%"
    # The estimate needs a few percent of the work done to mean anything.
    if [ "$final" = 0 ] && [ -n "$pct" ] && [ "$done" -gt 0 ] && [ $((done * 20)) -ge "$total" ] && [ "$elapsed" -ge 10 ]; then
      eta=", ~$(progress_duration $((elapsed * (total - done) / done))) left"
    fi
  elif [ "$done" -gt 0 ]; then
    count=" [$done]"
  fi
  if [ "$final" = 1 ]; then
    text="$label:$count done in $(progress_duration "$elapsed")"
    [ "${_progress_exact:-1}" = 1 ] ||
      text="$label: compiled $done packages in $(progress_duration "$elapsed") (of <=$total; the rest came from the Go build cache)"
    if [ "$PROGRESS_TTY" = 1 ]; then printf '\r\033[K%s\n' "$text" >&2; else printf '%s\n' "$text" >&2; fi
    return
  fi
  if [ "$PROGRESS_TTY" = 1 ]; then
    text="$label$count$pct $(progress_duration "$elapsed")$eta  $what"
    local width=${COLUMNS:-$(tput cols 2>/dev/null || echo 100)}
    printf '\r\033[K%s' "${text:0:$((width - 1))}" >&2
    return
  fi
  local decile=-1
  [ "$total" -gt 0 ] && decile=$((done * 10 / total))
  if [ $((SECONDS - _progress_last_print)) -ge "$PROGRESS_INTERVAL" ] ||
    { [ "$decile" -gt "$_progress_last_decile" ] && [ "$done" -gt 0 ]; }; then
    printf '%s:%s%s after %s%s: %s\n' "$label" "$count" "$pct" "$(progress_duration "$elapsed")" "$eta" \
      "${what:-starting}" >&2
    _progress_last_print=$SECONDS
    _progress_last_decile=$decile
  fi
}

# _progress_loop MODE LABEL TOTAL: reads a build's output on stdin. MODE
# ninja: "[n/N] what" lines are the counter; go: every line that is an
# import path is one compiled package. Anything else is passed to stdout
# (warnings, errors). A heartbeat runs while nothing arrives (linking).
_progress_loop() {
  local mode=$1 label=$2 total=${3:-0} done=0 start=$SECONDS what="" line rc partial=""
  local _progress_last_print=$SECONDS _progress_last_decile=0 _progress_exact=1
  [ "$mode" = ninja ] || _progress_exact=0
  while :; do
    line=""
    if IFS= read -r -t 5 line; then
      rc=0
    else
      rc=$?
    fi
    if [ "$rc" -gt 128 ]; then  # nothing for 5 s: the heartbeat
      # A timed-out read keeps what it got of a line: the rest comes next.
      partial+=$line
      _progress_show "$label" "$done" "$total" "$start" "$what"
      continue
    fi
    line=$partial$line
    partial=""
    if [ -n "$line" ]; then
      if [ "$mode" = ninja ] && [[ $line =~ ^\[([0-9]+)/([0-9]+)\]\ (.*)$ ]]; then
        done=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]} what=${BASH_REMATCH[3]}
      elif [ "$mode" = go ] && [[ $line =~ ^[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*$ ]]; then
        done=$((done + 1)) what=$line
        # go list counted every dependency; the cached ones are never
        # printed, so the count stays below it. Never above.
        [ "$total" -ge "$done" ] || total=$done
      else
        [ "$PROGRESS_TTY" = 0 ] || printf '\r\033[K' >&2
        printf '%s\n' "$line"
        continue
      fi
      _progress_show "$label" "$done" "$total" "$start" "$what"
    fi
    [ "$rc" = 0 ] || break  # end of input
  done
  _progress_show "$label" "$done" "$total" "$start" "" 1
}

progress_ninja() {
  local label=$1
  shift
  # The counter ninja prints before each edge it starts, one per line when
  # its output is not a terminal (here: a pipe).
  NINJA_STATUS='[%f/%t] ' "$@" 2>&1 | _progress_loop ninja "$label" 0
  return "${PIPESTATUS[0]}"
}

progress_go_build() {
  local label=$1 go=$2 pkg=$3 total
  shift 3
  total=$("$go" list -deps "$pkg" 2>/dev/null | wc -l) || total=0
  progress_note "$label: up to $total packages to compile (fewer when the Go build cache has some)"
  # All of it on stderr: the callers' stdout is for --print-env/--print-path.
  "$go" build -v "$@" "$pkg" 2>&1 | _progress_loop go "$label" "$total" >&2
  return "${PIPESTATUS[0]}"
}

progress_quiet() {
  local label=$1 log=$2 start=$SECONDS pid rc _progress_last_print=$SECONDS _progress_last_decile=0
  shift 2
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$PROGRESS_TTY" = 1 ]; then
      _progress_show "$label" 0 0 "$start" "$(tail -n 1 "$log" 2>/dev/null | tr -d '\r')"
    elif [ $((SECONDS - _progress_last_print)) -ge "$PROGRESS_INTERVAL" ]; then
      printf '%s: still running after %s (log: %s)\n' "$label" "$(progress_duration $((SECONDS - start)))" "$log" >&2
      _progress_last_print=$SECONDS
    fi
  done
  rc=0
  wait "$pid" || rc=$?
  [ "$PROGRESS_TTY" = 0 ] || printf '\r\033[K' >&2
  if [ "$rc" != 0 ]; then
    progress_note "$label: FAILED after $(progress_duration $((SECONDS - start))) (exit $rc); last lines of $log:"
    tail -n 40 "$log" >&2
    return "$rc"
  fi
  progress_note "$label: done in $(progress_duration $((SECONDS - start)))"
}

progress_timed() {
  local t=$SECONDS
  "$@"
  progress_note "${PROGRESS_NAME:-$(basename "$0")}: '$*' took $(progress_duration $((SECONDS - t)))"
}
