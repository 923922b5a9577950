#!/usr/bin/env bash
# The shell steps of the connectsync GitHub Action (action.yml at the root of
# the repository). They live in this file, not in action.yml, so that
# action_test.go can run them on a laptop against the sandbox.
#
#   connectsync.sh install   download the release binary (checked against checksums.txt)
#                            into $RUNNER_TEMP/connectsync-bin, or say it must be built
#   connectsync.sh go-cache  the Go cache key and paths, when it must be built
#   connectsync.sh build     build it there from source (needs Go)
#   connectsync.sh run       run one connectsync command and write the step outputs
#
# Inputs arrive as environment variables, the way action.yml passes them:
#
#   install  INPUT_VERSION   "": the release of the action's ref (ACTION_REF), or its
#            ACTION_REF,     source when the ref is a branch or commit; "local": the
#            ACTION_REPOSITORY  source; v1.2.3: that release; else go install …@VERSION
#   build    BUILD           source or module (install's build output), INPUT_VERSION
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
# Outputs (to $GITHUB_OUTPUT): path or build (install); path (build); key,
# prefix, paths (go-cache); exitcode, has-changes, json, markdown (run). Secrets: this script never prints the environment, and
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

# action_ref prints the ref the workflow named after @ in uses: (v1, v1.2.3,
# main, a commit). action.yml passes ${{ github.action_ref }} as ACTION_REF;
# where the runner leaves that empty (it may for composite actions), the ref
# is the end of the action's download path, _actions/OWNER/REPO/REF.
action_ref() {
	if [[ -n ${ACTION_REF:-} ]]; then
		printf '%s' "$ACTION_REF"
	elif [[ ${GITHUB_ACTION_PATH:-} == */_actions/*/*/* ]]; then
		local rest=${GITHUB_ACTION_PATH#*/_actions/}
		rest=${rest#*/}
		printf '%s' "${rest#*/}"
	fi
}

# action_repository prints OWNER/REPO of the action, the same way.
action_repository() {
	if [[ -n ${ACTION_REPOSITORY:-} ]]; then
		printf '%s' "$ACTION_REPOSITORY"
	elif [[ ${GITHUB_ACTION_PATH:-} == */_actions/*/*/* ]]; then
		local rest=${GITHUB_ACTION_PATH#*/_actions/}
		printf '%s' "${rest%%/*}/$(cut -d/ -f2 <<<"$rest")"
	else
		printf 'connectsync/connectsync'
	fi
}

# set_release_base sets RELEASE_BASE, the URL releases are downloaded from:
# the action's repository on github.com. CONNECTSYNC_TEST_RELEASE_URL
# replaces it in the action's own tests (a fake release on loopback); it is
# not for use in workflows. Plain http is refused except to loopback.
set_release_base() {
	RELEASE_BASE=${CONNECTSYNC_TEST_RELEASE_URL:-https://github.com/$(action_repository)}
	case $RELEASE_BASE in
	https://* | http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) RELEASE_BASE=${RELEASE_BASE%/} ;;
	*) die "release URL '$RELEASE_BASE' is not https" ;;
	esac
}

# platform prints the release's OS_ARCH for this runner (linux_amd64…).
platform() {
	local os arch
	case ${RUNNER_OS:-$(uname -s)} in
	Linux) os=linux ;;
	macOS | Darwin) os=darwin ;;
	Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
	*) return 1 ;;
	esac
	case ${RUNNER_ARCH:-$(uname -m)} in
	X64 | x86_64 | amd64) arch=amd64 ;;
	ARM64 | arm64 | aarch64) arch=arm64 ;;
	*) return 1 ;;
	esac
	printf '%s_%s' "$os" "$arch"
}

# resolve_tag REF prints the release tag (vX.Y.Z) on the commit that a major
# or minor tag (v1, v1.2) points at, the newest if several, read with
# git ls-remote (no API call, no token). Nothing when there is none.
resolve_tag() {
	local ref=$1 refs
	refs=$(GIT_TERMINAL_PROMPT=0 git ls-remote --tags "$RELEASE_BASE.git" 2>/dev/null) || return 0
	# An annotated tag is listed twice: its own object, then ^{} its commit.
	awk -v want="refs/tags/$ref" -v prefix="refs/tags/$ref." '
		{ name = $2; peeled = sub(/\^\{\}$/, "", name)
		  if (peeled || !(name in commit)) commit[name] = $1 }
		END {
			target = commit[want]
			if (target == "") exit
			for (name in commit)
				if (commit[name] == target && index(name, prefix) == 1 && name ~ /^refs\/tags\/v[0-9]+\.[0-9]+\.[0-9]+$/)
					print substr(name, 11)
		}' <<<"$refs" | sed 's/^v//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1 | sed 's/^./v&/'
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# download TAG DIR installs the release TAG's binary for this runner in DIR,
# after checking the archive against the release's checksums.txt. It returns
# 2 when the release cannot be downloaded (the caller may build from source
# instead) and stops the job when the checksum does not match.
download() {
	local tag=$1 dir=$2 plat ext=tar.gz archive url tmpd want got
	plat=$(platform) || die "no connectsync release for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: set version: local to build it from source"
	[[ $plat == windows_* ]] && ext=zip
	archive="connectsync_${tag#v}_${plat}.${ext}"
	url="$RELEASE_BASE/releases/download/$tag"
	tmpd=$(mktemp -d "$(tmp)/connectsync-release.XXXXXX")
	echo "Downloading connectsync $tag ($archive) and checksums.txt from $url"
	if ! curl -fsSL --retry 3 -o "$tmpd/checksums.txt" "$url/checksums.txt" ||
		! curl -fsSL --retry 3 -o "$tmpd/$archive" "$url/$archive"; then
		echo "::warning title=connectsync action::could not download connectsync $tag from $url"
		return 2
	fi
	want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmpd/checksums.txt")
	[[ -n $want ]] || die "checksums.txt of connectsync $tag lists no $archive: not running an unverified binary"
	got=$(sha256 "$tmpd/$archive")
	if [[ $got != "$want" ]]; then
		die "checksum mismatch for $archive of connectsync $tag: checksums.txt says sha256 $want, the download is $got. Not running it; re-run the job, and report it if it happens again"
	fi
	echo "sha256 $got $archive: matches checksums.txt"
	if [[ $ext == zip ]]; then
		if command -v unzip >/dev/null 2>&1; then
			unzip -o -q "$tmpd/$archive" connectsync.exe -d "$dir"
		else
			7z e -y -o"$dir" "$tmpd/$archive" connectsync.exe >/dev/null
		fi
	else
		tar -xzf "$tmpd/$archive" -C "$dir" connectsync
	fi
	chmod +x "$dir"/connectsync*
	rm -rf "$tmpd"
}

# installed BINARY finishes an install: checks the binary runs and hands it
# to the next steps.
installed() {
	"$1" version
	if [[ -n ${GITHUB_PATH:-} ]]; then
		dirname "$1" >>"$GITHUB_PATH" # later steps of the job can run connectsync
	fi
	set_output path "$1"
}

# install puts the connectsync the version input asks for in
# $RUNNER_TEMP/connectsync-bin when it is a release, and otherwise says how
# to build it (output build: source or module), which the build step does
# once Go is set up:
#
#   version ""      the action's ref: a release tag (v1.2.3) downloads that
#                   release; a major or minor tag (v1, v1.2) the release on
#                   the same commit; a branch or commit builds the action's
#                   own source
#   version local   builds the action's own source
#   version v1.2.3  downloads that release
#   anything else   go install github.com/connectsync/connectsync@VERSION
install() {
	local version=${INPUT_VERSION:-} dir exe=connectsync ref tag=''
	dir="$(tmp)/connectsync-bin"
	[[ ${RUNNER_OS:-} == Windows ]] && exe=connectsync.exe
	mkdir -p "$dir"
	ref=$(action_ref)
	set_release_base
	case $version in
	'')
		if [[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
			tag=$ref
		elif [[ $ref =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
			tag=$(resolve_tag "$ref")
			[[ -n $tag ]] || echo "::warning title=connectsync action::no connectsync release found on the commit of $ref; building it from source"
		fi
		if [[ -n $tag ]]; then
			local rc=0
			download "$tag" "$dir" || rc=$?
			if [[ $rc == 0 ]]; then
				installed "$dir/$exe"
				return
			fi
			echo "Building connectsync from the action's source instead"
		elif [[ -n $ref ]]; then
			echo "The action's ref $ref is not a release tag: building connectsync from its source"
		fi
		set_output build source
		;;
	local)
		set_output build source
		;;
	*)
		[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._+/-]*$ ]] ||
			die "version '$version' is not a module version: use latest, a tag such as v1.2.3, a commit, or leave it empty to use the action's own ref"
		if [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
			download "$version" "$dir" || die "could not download connectsync $version: is it a release? (leave version empty to follow the action's ref)"
			installed "$dir/$exe"
			return
		fi
		set_output build module
		;;
	esac
}

# build compiles connectsync as install said (BUILD: source or module),
# with the Go on PATH.
build() {
	local version=${INPUT_VERSION:-} dir exe=connectsync
	dir="$(tmp)/connectsync-bin"
	[[ ${RUNNER_OS:-} == Windows ]] && exe=connectsync.exe
	command -v go >/dev/null 2>&1 || die "Go is not installed: keep the action's setup-go input true, or install Go before this step"
	mkdir -p "$dir"
	case ${BUILD:-} in
	source)
		local src=${GITHUB_ACTION_PATH:-}
		[[ -n $src && -f $src/go.mod && -f $src/main.go ]] ||
			die "version is '${version:-}' (build from the action's source), but GITHUB_ACTION_PATH ('$src') holds no connectsync source"
		# The version printed by `connectsync version`: the ref in uses:, if any.
		local ver commit
		ver=$(action_ref)
		ver=${ver:-local}
		ver=${ver//[^A-Za-z0-9._+\/-]/_}
		commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
		echo "Building connectsync $ver from $src"
		(cd "$src" && go build -trimpath -buildvcs=false -tags urfave_cli_no_docs \
			-ldflags "-X github.com/connectsync/connectsync/pkg/cli.Version=$ver -X github.com/connectsync/connectsync/pkg/cli.Commit=$commit" \
			-o "$dir/$exe" .)
		;;
	module)
		echo "Installing github.com/connectsync/connectsync@$version"
		# No -tags urfave_cli_no_docs: versions before the man page was embedded
		# need urfave/cli's renderer.
		GOBIN="$dir" go install "github.com/connectsync/connectsync@$version"
		;;
	*) die "build: BUILD is '${BUILD:-}', want source or module" ;;
	esac
	installed "$dir/$exe"
}

# go_cache writes the outputs the Go cache step uses: the key (the Go
# version and the action's go.sum), and the build and module cache paths.
go_cache() {
	local sum
	sum=$(sha256 "${GITHUB_ACTION_PATH:?}/go.sum")
	set_output key "connectsync-go-${RUNNER_OS:-}-${RUNNER_ARCH:-}-$(go env GOVERSION)-${sum:0:16}"
	set_output prefix "connectsync-go-${RUNNER_OS:-}-${RUNNER_ARCH:-}-$(go env GOVERSION)-"
	set_output paths "$(go env GOCACHE)
$(go env GOMODCACHE)"
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

# from_repository_root copies stdin to stdout with the file= of every GitHub
# annotation (::error file=PATH,…) made relative to the repository root
# ($GITHUB_WORKSPACE), where GitHub resolves it: connectsync writes paths as
# given, relative to the working directory. A path outside the workspace, or
# one with an escaped character (%), is left as it is.
from_repository_root() {
	local ws_logical=${GITHUB_WORKSPACE:-} ws_physical='' cwd
	cwd=$(pwd -P)
	if [[ -n $ws_logical ]]; then
		ws_physical=$(cd -- "$ws_logical" 2>/dev/null && pwd -P) || ws_physical=''
	fi
	awk -v cwd="$cwd" -v wsl="${ws_logical%/}" -v wsp="$ws_physical" '
		function clean(p,   n, i, parts, out, k, s) {
			n = split(p, parts, "/"); k = 0
			for (i = 1; i <= n; i++) {
				if (parts[i] == "" || parts[i] == ".") continue
				if (parts[i] == "..") { if (k > 0) k--; continue }
				out[++k] = parts[i]
			}
			s = ""
			for (i = 1; i <= k; i++) s = s "/" out[i]
			return s
		}
		function under(p, root) {
			if (root == "" || index(p, root "/") != 1) return ""
			return substr(p, length(root) + 2)
		}
		/^::[a-z]+ / && index($0, "file=") > 0 {
			at = index($0, "file=") + 5
			rest = substr($0, at)
			end = match(rest, /,|::/)
			value = end ? substr(rest, 1, RSTART - 1) : rest
			if (value != "" && index(value, "%") == 0 && (wsl != "" || wsp != "")) {
				full = clean(substr(value, 1, 1) == "/" ? value : cwd "/" value)
				rel = under(full, clean(wsp))
				if (rel == "") rel = under(full, clean(wsl))
				if (rel != "") {
					print substr($0, 1, at - 1) rel substr(rest, length(value) + 1)
					next
				}
			}
		}
		{ print }'
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
		cs "${cmd[@]}" --format github >"$out/validate.github" || code=$?
		from_repository_root <"$out/validate.github"
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
		# Exit 1 when an account of a shard could not be read: the merged
		# report still holds every account (that one with its error); keep it
		# and its markdown, as for audit.
		keep_json=true
		# The first run already added the report to the job summary. Its exit
		# code repeats the first's; what counts is that it wrote the markdown.
		GITHUB_STEP_SUMMARY='' cs "${cmd[@]}" --format markdown >"$md" || true
		if [[ -s $md ]]; then ensure_marker "$md" audit; else md=''; fi
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
build) build ;;
go-cache) go_cache ;;
run) run ;;
*) die "usage: connectsync.sh install|build|go-cache|run" ;;
esac
