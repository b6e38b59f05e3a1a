#!/usr/bin/env bash
# Release history: the default run of both suites for each release given, in asv's virtualenv
# (asv.conf.json), in the main job's asv runs (`python -m benchmarks.points --runs`): one per
# untimed class, then one per round of the timed benchmarks; asv saves results as each run ends.
#   bash tools/history.sh 2.13.0 2.14.1                     # releases as asv names them (`asv run --help`)
#   bash tools/history.sh --commit 2.13.0 2.14.1            # also commit each release's results
#   bash tools/history.sh --commit --tries 6 2.13.0 2.14.1  # wait for a steady machine (below)
#   bash tools/history.sh --commit --untimed 2.3.1          # only the untimed classes (below)
#   bash tools/history.sh --commit --resume 2.3.1           # go on from a stopped run's rounds (below)
# With --commit a long history lands release by release, so a stopped session loses at most the
# current one: each untimed class is committed as it passes, the timed rounds together after the
# last; only the release's results, whatever else is staged. After every timed round the samples say
# whether the machine held still (ptbench.steady; the first round, one process per point, after
# about two minutes of timed work), and the first round's times whether this host runs at the pace
# of the machine's committed releases (ptbench.pace). A round whose machine moved, or that ran off
# the pace (a shared host's speed moves by more than a release's step: on the model-17 host 2.7.1's
# first round ran at 1.165x of the series' 2.0.1, its next try 15 minutes later at 1.296x), is set
# aside: its result files go to .asv/unsteady/ and are put back as they were before it. That round
# is taken again after --wait seconds (default 600), the rounds before it kept, since the check
# judges them all together again. A release may have --tries such rounds in all (default 1): at the
# last, results/ is put back as the untimed runs committed it and the script stops, since the next
# release would be taken on the same machine. Last, a point whose process ran apart from its others
# has that process taken again (ptbench.retake). Before the timed runs are committed, the release
# and the series' nearest one are measured as a pair on a few points (ptbench.level): a host that
# held still at another level than the series' stops the script there. The same check follows the
# first round that passes, so a host off level is seen in minutes, not after the hour of rounds:
# that round is taken again like a moved one (a shared host's level comes and goes).
# With --commit each first round has a probe before it: its first few points, taken, judged as a
# first round is (against a looser limit: ptbench.steady --probe) and put back. A probe that fails
# is set aside and taken again like a round, so on a host too unsteady for the timm points'
# 16-minute first round a try costs the probe's 16 points (their times on the VMs: README); a
# first round set aside has its probe taken again before it.
# --resume goes on where a stopped --commit run of the release left off: after each timed run that
# passes, the release's files and where its runs stand are kept in .asv/history-resume/RELEASE/
# (until the release is committed), and --resume puts them back and takes the next run, so a
# release longer than a session, or one stopped by a round set aside too late to take again, keeps
# its passed rounds. They are judged with the rounds still to come as within one run: a host that
# moved between the two runs shows as a round set aside. It needs the same run list and ASV_ARGS.
# --untimed takes only the untimed classes (peak memory, backend difference): they do not depend on
# the host's speed, so a host that moves too much for timed rounds can still add them to its series.
# PTBENCH_* settings apply as for any run; extra asv arguments go in ASV_ARGS.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
usage="usage: bash tools/history.sh [--commit] [--resume] [--untimed] [--tries N] [--wait SECONDS] RELEASE [RELEASE ...]"
commit=0 resume=0 untimed_only=0 tries=1 wait=600
while [ $# -gt 0 ]; do
    case $1 in
        --commit) commit=1 ;;
        --resume) resume=1 ;;
        --untimed) untimed_only=1 ;;
        --tries | --wait)
            [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "error: $1 takes a whole number; $usage" >&2; exit 2; }
            [ "$1" = --tries ] && tries=$2 || wait=$2
            shift ;;
        -*) echo "error: unknown option $1; $usage" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
[ $# -ge 1 ] && [ "$tries" -ge 1 ] || { echo "$usage" >&2; exit 2; }
[ $resume = 0 ] || [ $commit = 1 ] || { echo "error: --resume goes on from a --commit run; $usage" >&2; exit 2; }
[ $resume = 0 ] || [ $untimed_only = 0 ] || { echo "error: --resume goes on with timed rounds, which --untimed leaves out; $usage" >&2; exit 2; }
bash tools/setup.sh
probe=()
[ $commit = 0 ] || probe=(--probe)  # judged only to be committed
plan=$(.venv/bin/python -m benchmarks.points --runs "${probe[@]}")  # a bad PTBENCH_* setting stops here
mapfile -t steps <<< "$plan"
before_round=.asv/history-round  # the release's result files as they were before the current round
resume_dir=.asv/history-resume   # per release: its files and where its runs stood after the last that passed
# What a kept state must match to be gone on from: the same runs, saved where this run saves.
context=$(printf 'ASV_ARGS=%s\n%s' "${ASV_ARGS:-}" "$plan")

fingerprints() {  # RELEASE: each of the release's result files and its checksum
    local file
    for file in results/*/"$1"-*.json; do echo "$file $(cksum < "$file")"; done | sort
}

commit_results() {  # MESSAGE FILE...: the release's files and asv's shared ones, nothing else staged
    local message=$1 own
    shift
    own=(results/*.json results/*/machine.json "$@")
    git add -- "${own[@]}"
    git diff --cached --quiet -- "${own[@]}" || git commit --quiet -m "$message" -- "${own[@]}"
}

stop() {  # MESSAGE: results/ as the release's untimed runs committed it, say MESSAGE and stop: the next
    # release would be taken on the same host
    for file in "${mine[@]}"; do git checkout --quiet -- "$file" 2>/dev/null || rm -f "$file"; done
    echo "== $release, $1"
    local kept
    if [ -e "$resume_dir/$release/state" ]; then
        read -r _ kept _ < "$resume_dir/$release/state"
        echo "== $release: $kept timed runs that passed are kept in $resume_dir/$release: --resume goes on from them"
    fi
    exit 1
}

put_back() {  # FILE...: each as it was before the current round
    local file
    for file in "$@"; do
        if [ -e "$before_round/$file" ]; then cp "$before_round/$file" "$file"; else rm "$file"; fi
    done
}

on_level() {  # FILE...: exit status 0 when the host ran them at their series' level, 1 when not, 2 when
    # the pair could not be taken (ptbench.level)
    local file
    for file in "$@"; do .venv/bin/python -m ptbench.level "$file" || return $?; done
}

level_why() {  # STATUS: on_level's
    [ "$1" = 1 ] && echo "this host is not at the series' level (above)" \
        || echo "the host's level could not be measured (above)"
}

keep_state() {  # after a timed run passed: what --resume needs to go on after it (--commit, and
    # no timed run failed: one that did is taken again)
    local dir=$resume_dir/$release file
    [ $commit = 1 ] && [ $timed_ok = 1 ] || return 0
    rm -rf "$dir.new" && mkdir -p "$dir.new"
    for file in "${mine[@]}"; do mkdir -p "$dir.new/$(dirname "$file")" && cp "$file" "$dir.new/$file"; done
    printf '%s %s %s %s\n%s\n' $i $runs $leveled $((SECONDS - timed_start)) "$context" > "$dir.new/state"
    rm -rf "$dir" && mv "$dir.new" "$dir"
}

take_state() {  # --resume: the release's files and counts as keep_state left them
    local dir=$resume_dir/$release elapsed
    read -r i runs leveled elapsed < "$dir/state"
    if [ "$(tail -n +2 "$dir/state")" != "$context" ]; then
        echo "error: $dir was kept by a run with other runs or ASV_ARGS; go on with those, or start over without --resume" >&2
        exit 2
    fi
    mapfile -t mine < <(cd "$dir" && find results -name '*.json' | sort)
    for file in "${mine[@]}"; do cp "$dir/$file" "$file"; done
    timed_start=$((SECONDS - elapsed))
    echo "== $release: going on from the $runs timed runs kept in $dir, at run $((i + 1)) of ${#steps[@]}"
}

failed=0  # a failed run does not stop the others; the exit status says it failed
for release in "$@"; do
    start=$SECONDS
    mine=()     # the release's result files its runs wrote
    try=1
    runs=0      # timed runs that passed
    leveled=0   # a first round passed ptbench.level
    timed_start=$SECONDS
    timed_ok=1  # every timed run passed: they are committed together
    i=0
    if [ -e "$resume_dir/$release/state" ]; then
        if [ $resume = 1 ]; then
            take_state
        else
            echo "== $release: starting over, without --resume: the stopped run's rounds in $resume_dir/$release give way to the first round that passes"
        fi
    elif [ $resume = 1 ]; then
        echo "== $release: no stopped run kept in $resume_dir/$release; starting from the first run"
    fi
    while [ $i -lt ${#steps[@]} ]; do
        IFS=$'\t' read -r -a step <<< "${steps[i]}"
        kind=${step[0]} label=${step[1]}
        # The step taken again after a set-aside round: a first round's probe before it, if it has one.
        [ "$kind" = first ] && [ $i -gt 0 ] && [[ ${steps[i - 1]} == probe$'\t'* ]] || again=$i
        i=$((i + 1))
        [ $untimed_only = 0 ] || [ "$kind" = untimed ] || continue
        if [ "$kind" = retake ]; then
            # Removes each process apart from its point's others from the files; prints the points.
            [ ${#mine[@]} -gt 0 ] && step[2]=$(.venv/bin/python -m ptbench.retake "${mine[@]}" -b "${step[2]}") \
                || { echo "== $release, $label: not taken"; failed=1 timed_ok=0; continue; }
            [ -n "${step[2]}" ] || { echo "== $release, $label: none"; continue; }
        fi
        run_start=$SECONDS
        before=$(fingerprints "$release")
        if [ "$kind" != untimed ]; then
            rm -rf "$before_round"
            for file in results/*/"$release"-*.json; do
                mkdir -p "$before_round/$(dirname "$file")" && cp "$file" "$before_round/$file"
            done
        fi
        # shellcheck disable=SC2086  # ASV_ARGS is a list of arguments
        if .venv/bin/asv run "$release^!" --bench "${step[2]}" "${step[@]:3}" --show-stderr ${ASV_ARGS:-}; then
            # The files this run wrote: another run's file of the release (the main job's, another
            # machine's) stays the user's.
            mapfile -t written < <(comm -13 <(echo "$before") <(fingerprints "$release") | cut -d' ' -f1)
            for file in "${written[@]}"; do [[ " ${mine[*]} " == *" $file "* ]] || mine+=("$file"); done
            if [ "$kind" = untimed ]; then
                [ $commit = 0 ] || [ ${#written[@]} = 0 ] \
                    || commit_results "Release history: torch $release, $label ($((SECONDS - run_start)) s)" "${written[@]}"
            elif [ "$kind" = retake ]; then
                runs=$((runs + 1))
                keep_state
            elif [ ${#written[@]} -gt 0 ]; then
                [ $runs -gt 0 ] || timed_start=$run_start
                moved=0 paced=1 level=0
                one=()  # a benchmark's first round: one process per point; a probe, its first few
                case $kind in first) one=(--one-process) ;; probe) one=(--probe) ;; esac
                .venv/bin/python -m ptbench.steady "${written[@]}" -b "${step[2]}" "${one[@]}" || moved=1
                # A first round's or probe's times also say whether this host runs at the machine's pace.
                [ "$kind" = timed ] || .venv/bin/python -m ptbench.pace "${written[@]}" -b "${step[2]}" || paced=0
                if [ "$kind" = first ] && [ $moved = 0 ] && [ $paced = 1 ] && [ $commit = 1 ] && [ $leveled = 0 ]; then
                    leveled=1
                    on_level "${written[@]}" || level=$? leveled=0
                fi
                if { [ $moved = 1 ] || [ $paced = 0 ] || [ $level != 0 ]; } && [ $commit = 1 ]; then
                    for file in "${written[@]}"; do
                        mkdir -p ".asv/unsteady/$(dirname "$file")" && cp "$file" ".asv/unsteady/$file"
                    done
                    put_back "${written[@]}"
                    echo "== $release, $label: $((SECONDS - run_start)) s"
                    if [ $try -ge "$tries" ] || [ $level = 2 ]; then
                        why="take the rest on a steady machine"
                        [ $level = 0 ] || why=$(level_why $level)
                        [ $paced = 1 ] || why="this host is not at the machine's pace (above)"
                        stop "$label: not committed, kept in .asv/unsteady/; stopping: $why"
                    fi
                    echo "== $release, $label: not committed, kept in .asv/unsteady/; try $((try + 1)) of $tries: this round again in $wait s"
                    sleep "$wait"
                    try=$((try + 1)) i=$again
                    continue
                fi
                # A probe's times are not the round's: its points are taken again in the round.
                if [ "$kind" = probe ]; then
                    put_back "${written[@]}"
                else
                    runs=$((runs + 1))
                    keep_state
                fi
            fi
        else
            echo "== $release, $label: asv exited $?"
            failed=1
            [ "$kind" = untimed ] || timed_ok=0
        fi
        echo "== $release, $label: $((SECONDS - run_start)) s"
    done
    if [ $commit = 1 ] && [ $timed_ok = 1 ] && [ $runs -gt 0 ]; then
        # The release and the series' nearest one as a pair: was this host at the series' level?
        level=0
        on_level "${mine[@]}" || level=$?
        if [ $level != 0 ]; then
            for file in "${mine[@]}"; do
                mkdir -p ".asv/unsteady/$(dirname "$file")" && cp "$file" ".asv/unsteady/$file"
            done
            stop "the timed runs: not committed, kept in .asv/unsteady/; stopping: $(level_why $level)"
        fi
        commit_results "Release history: torch $release, the timed benchmarks' $runs runs ($((SECONDS - timed_start)) s)" \
            "${mine[@]}"
        rm -rf "${resume_dir:?}/$release"
    fi
    echo "== $release: $((SECONDS - start)) s"
done
exit $failed
