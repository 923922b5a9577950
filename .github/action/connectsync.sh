#!/usr/bin/env bash
# The shell steps of the connectsync GitHub Action (action.yml at the root of
# the repository). They live in this file, not in action.yml, so that
# action_test.go can run them on a laptop against the sandbox.
#
#   connectsync.sh install   put a connectsync binary in $RUNNER_TEMP/connectsync-bin
#   connectsync.sh run       run one connectsync command and write the step outputs
#
# Inputs arrive as environment variables, the way action.yml passes them:
#
#   install  INPUT_VERSION   "" or "local": build from the action's own source
#                            ($GITHUB_ACTION_PATH, i.e. the ref named in uses:);
#                            anything else: go install github.com/connectsync/connectsync@VERSION
#   run      CONNECTSYNC     the binary (default: connectsync on PATH)
#            INPUT_COMMAND   validate | plan | apply | audit | audit merge | any other command
#            INPUT_FILES     paths, separated by spaces or newlines; each becomes -f PATH
#            INPUT_ARGS      more arguments, separated by spaces or newlines
#            INPUT_WORKING_DIRECTORY, INPUT_FAIL_ON_CHANGES
#
# Words are split on whitespace only: no quotes, no $(…), no variables; a word
# with * ? or [ expands as a file glob when it matches. Nothing is evaluated,
# so an input can never run a command.
#
# Outputs (to $GITHUB_OUTPUT): path (install); exitcode, has-changes, json,
# markdown (run). Secrets: this script never prints the environment, and
# connectsync never prints secret values; keep it that way (no `set -x`).
#
# Plain bash 3.2 (macOS runners), so no namerefs, mapfile or ${x,,}.
set -euo pipefail

die() {
	echo "::error title=connectsync action::$*" >&2
	exit 1
}

# set_output NAME VALUE appends one step output, in the multi-line form when
# the value has a newline.
set_output() {
	local name=$1 value=$2
	if [[ -z ${GITHUB_OUTPUT:-} ]]; then
		echo "output $name=$value" >&2
		return
	fi
	if [[ $value == *$'\n'* ]]; then
		local delim="connectsync_${RANDOM}${RANDOM}${RANDOM}"
		printf '%s<<%s\n%s\n%s\n' "$name" "$delim" "$value" "$delim" >>"$GITHUB_OUTPUT"
	else
		printf '%s=%s\n' "$name" "$value" >>"$GITHUB_OUTPUT"
	fi
}

# split TEXT sets the array WORDS to TEXT's whitespace-separated words, each
# word with a glob character expanded when it matches files.
split() {
	WORDS=()
	local w
	set -f
	for w in $1; do
		if [[ $w == *[*?[]* ]]; then
			set +f
			# shellcheck disable=SC2206 # glob expansion is the point here
			local matches=($w)
			set -f
			WORDS+=("${matches[@]}")
		else
			WORDS+=("$w")
		fi
	done
	set +f
}

# tmp is where this run keeps its files.
tmp() {
	printf '%s' "${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
}

run_url() {
	if [[ -n ${GITHUB_RUN_ID:-} && -n ${GITHUB_REPOSITORY:-} ]]; then
		printf '%s/%s/actions/runs/%s' "${GITHUB_SERVER_URL:-https://github.com}" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
	fi
}

# append_summary FILE adds a file to the job summary in GitHub Actions.
append_summary() {
	if [[ ${GITHUB_ACTIONS:-} == true && -n ${GITHUB_STEP_SUMMARY:-} ]]; then
		cat "$1" >>"$GITHUB_STEP_SUMMARY"
	fi
}

install() {
	local version=${INPUT_VERSION:-} dir exe=connectsync
	dir="$(tmp)/connectsync-bin"
	if [[ ${RUNNER_OS:-} == Windows ]]; then
		exe=connectsync.exe
	fi
	command -v go >/dev/null 2>&1 || die "Go is not installed: keep the action's setup-go input true, or install Go before this step"
	mkdir -p "$dir"
	case $version in
	'' | local)
		local src=${GITHUB_ACTION_PATH:-}
		[[ -n $src && -f $src/go.mod && -f $src/main.go ]] ||
			die "version is '${version:-}' (build from the action's source), but GITHUB_ACTION_PATH ('$src') holds no connectsync source"
		# The version printed by `connectsync version`: the ref in uses:, if any.
		local ver=${GITHUB_ACTION_REF:-local} commit
		ver=${ver//[^A-Za-z0-9._+\/-]/_}
		commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
		echo "Building connectsync $ver from $src"
		(cd "$src" && go build -trimpath -buildvcs=false \
			-ldflags "-X github.com/connectsync/connectsync/pkg/cli.Version=$ver -X github.com/connectsync/connectsync/pkg/cli.Commit=$commit" \
			-o "$dir/$exe" .)
		;;
	*)
		[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._+/-]*$ ]] ||
			die "version '$version' is not a module version: use latest, a tag such as v1.2.3, a commit, or leave it empty to build the action's own source"
		echo "Installing github.com/connectsync/connectsync@$version"
		GOBIN="$dir" go install "github.com/connectsync/connectsync@$version"
		;;
	esac
	"$dir/$exe" version
	if [[ -n ${GITHUB_PATH:-} ]]; then
		echo "$dir" >>"$GITHUB_PATH" # later steps of the job can run connectsync
	fi
	set_output path "$dir/$exe"
}

# ensure_marker FILE KIND makes a markdown file start with a connectsync
# marker line (invisible on GitHub), <!-- connectsync:KIND --> unless it has
# one, so that sticky-comment.js keeps one comment per kind.
ensure_marker() {
	local first=''
	IFS= read -r first <"$1" || true
	if [[ $first != '<!-- connectsync:'* ]]; then
		{ echo "<!-- connectsync:$2 -->"; cat "$1"; } >"$1.tmp"
		mv "$1.tmp" "$1"
	fi
}

# failed_plan_markdown FILE writes what the pull-request comment says when
# the plan failed. It never quotes connectsync's errors: a comment is not
# masked the way the run log is, and errors may name the integration key.
failed_plan_markdown() {
	local url
	url=$(run_url)
	{
		echo '<!-- connectsync:plan -->'
		echo '### connectsync plan'
		echo
		if [[ -n $url ]]; then
			echo "**The plan failed** (exit code 1): see the [workflow run]($url) for why."
		else
			echo '**The plan failed** (exit code 1): see the workflow run for why.'
		fi
		echo
		echo 'Nothing is planned until it succeeds; an earlier plan shown here is no longer current.'
	} >"$1"
}

run() {
	local bin=${CONNECTSYNC:-connectsync}
	cd -- "${INPUT_WORKING_DIRECTORY:-.}" || die "working-directory '${INPUT_WORKING_DIRECTORY:-}' does not exist"

	local cmd files extra
	split "${INPUT_COMMAND:-plan}"
	cmd=("${WORDS[@]+"${WORDS[@]}"}")
	[[ ${#cmd[@]} -gt 0 ]] || cmd=(plan)
	split "${INPUT_FILES:-}"
	files=()
	local f
	for f in "${WORDS[@]+"${WORDS[@]}"}"; do
		files+=(-f "$f")
	done
	split "${INPUT_ARGS:-}"
	extra=("${WORDS[@]+"${WORDS[@]}"}")

	local out code=0 json='' md='' detailed=false keep_json=false
	out=$(mktemp -d "$(tmp)/connectsync-out.XXXXXX")

	# cs ARGS… runs connectsync with the files and extra arguments after ARGS.
	cs() {
		echo "+ connectsync $*" ${files[@]+"${files[@]}"} ${extra[@]+"${extra[@]}"} >&2
		"$bin" "$@" ${files[@]+"${files[@]}"} ${extra[@]+"${extra[@]}"}
	}

	case "${cmd[0]} ${cmd[1]:-}" in
	'validate '*)
		cs "${cmd[@]}" --format github || code=$?
		json="$out/validate.json" keep_json=true # the diagnostics, also when invalid
		cs "${cmd[@]}" --format json >"$json" 2>/dev/null || true
		;;
	'plan '*)
		detailed=true
		json="$out/plan.json" md="$out/plan.md"
		cs "${cmd[@]}" --format markdown --out "$json" --detailed-exitcode >"$md" || code=$?
		cat "$md"
		if [[ $code != 0 && $code != 2 ]]; then
			json=''
			failed_plan_markdown "$md"
			append_summary "$md"
		fi
		;;
	'apply '*)
		md="$out/apply.md"
		set +e
		cs "${cmd[@]}" | tee "$out/apply.txt"
		code=${PIPESTATUS[0]}
		set -e
		{
			echo '<!-- connectsync:apply -->'
			echo '### connectsync apply'
			echo
			if [[ $code == 0 ]]; then echo '**Apply succeeded.**'; else echo "**Apply failed** (exit code $code)."; fi
			echo
			echo '````text'
			head -c 60000 "$out/apply.txt"
			echo
			echo '````'
		} >"$md"
		append_summary "$md"
		;;
	'audit merge')
		detailed=true
		json="$out/audit.json" md="$out/audit.md"
		# Only the report files: audit merge reads no configuration files.
		files=()
		cs "${cmd[@]}" --format json --detailed-exitcode >"$json" || code=$?
		# The first run already added the report to the job summary.
		GITHUB_STEP_SUMMARY='' cs "${cmd[@]}" --format markdown >"$md" || md=''
		if [[ -n $md ]]; then ensure_marker "$md" audit; fi
		;;
	'audit '*)
		detailed=true
		json="$out/audit.json" md="$out/audit.md"
		cs "${cmd[@]}" --format json --detailed-exitcode >"$json" || code=$?
		# Exit 1 still writes the report when some accounts could not be read:
		# keep it, so that a merge of shards still holds the other accounts.
		keep_json=true
		# One pass over the accounts: render the markdown from the JSON report
		# (audit already added it to the job summary).
		if [[ -s $json ]]; then
			# Its exit code repeats the audit's (1 for a failed account); what
			# counts is that it wrote the markdown.
			GITHUB_STEP_SUMMARY='' "$bin" audit merge "$json" --format markdown >"$md" || true
			if [[ ! -s $md ]]; then md=''; fi
			if [[ -n $md ]]; then ensure_marker "$md" audit; fi
		else
			md=''
		fi
		;;
	*)
		cs "${cmd[@]}" || code=$?
		;;
	esac

	local changes=false
	if [[ $detailed == true && $code == 2 ]]; then
		changes=true
	fi
	if [[ $code != 0 && $code != 2 && $keep_json == false ]] || [[ -n $json && ! -s $json ]]; then
		json='' # an error, or the file was not written (e.g. another --out in args)
	fi
	set_output exitcode "$code"
	set_output has-changes "$changes"
	set_output json "$json"
	set_output markdown "$md"

	if [[ $changes == true ]]; then
		if [[ ${INPUT_FAIL_ON_CHANGES:-false} == true ]]; then
			echo "::error title=connectsync::${cmd[*]} found changes (exit code 2) and fail-on-changes is true"
			exit 2
		fi
		exit 0
	fi
	exit "$code"
}

case ${1:-} in
install) install ;;
run) run ;;
*) die "usage: connectsync.sh install|run" ;;
esac
