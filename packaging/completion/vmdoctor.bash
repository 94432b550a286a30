# SPDX-License-Identifier: MIT
# bash completion for vmdoctor. The commands' options, codes, fix ids, playbook ids and run ids come from the
# binary being completed (its --help, `list codes|fixes|playbooks`, `history`), so they never go stale.

# The first word of each listed line (`vmdoctor list fixes` indents its detail lines, which are skipped).
_vmdoctor_ids()
{
	"$1" list "$2" --no-color 2>/dev/null | awk '/^[^ ]/ { print $1 }'
}

# The options a command's help names (`  -y, --yes ...`), or every option without a command.
_vmdoctor_options()
{
	"$1" ${2:+"$2"} --help 2>/dev/null | sed -n 's/^  \(-[a-z]\), \(--[a-z-]*\).*/\1 \2/p; s/^  \(--[a-z-]*\).*/\1/p'
}

_vmdoctor()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local bin=${COMP_WORDS[0]} cmd="" i
	bin=${bin/#\~/$HOME}
	COMPREPLY=()

	# The command is the first word that is neither an option nor an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--format | --snapshot | --libvirt-uri | --playbook | --answer | --playbooks | -o | --output | \
			--compress | --max-size) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]} && break ;;
		esac
	done

	case $prev in
	--format) mapfile -t COMPREPLY < <(compgen -W "text json md man" -- "$cur") && return ;;
	--compress) mapfile -t COMPREPLY < <(compgen -W "gzip zstd xz" -- "$cur") && return ;;
	--libvirt-uri) mapfile -t COMPREPLY < <(compgen -W "qemu:///system qemu:///session" -- "$cur") && return ;;
	--playbook) mapfile -t COMPREPLY < <(compgen -W "$(_vmdoctor_ids "$bin" playbooks)" -- "$cur") && return ;;
	--playbooks) mapfile -t COMPREPLY < <(compgen -d -- "$cur") && return ;;
	--snapshot | -o | --output) mapfile -t COMPREPLY < <(compgen -f -- "$cur") && return ;;
	--answer | --max-size) return ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vmdoctor_options "$bin" "$cmd")" -- "$cur")
		return
	fi
	local words=""
	case $cmd in
	"") words="check explain list lint fix history undo bundle" ;;
	explain) words=$(_vmdoctor_ids "$bin" codes) ;;
	fix) words="$(_vmdoctor_ids "$bin" codes) $(_vmdoctor_ids "$bin" fixes)" ;;
	list) words="checks codes playbooks fixes" ;;
	undo) words=$("$bin" history 2>/dev/null | awk '/^[0-9]/ { print $1 }') ;;
	lint) mapfile -t COMPREPLY < <(compgen -f -- "$cur") && return ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -F _vmdoctor vmdoctor
