# fish completion for pp-registry(1): commands, verbs, options and the
# registered model names read from the registry.
set -l cmds init experiments runs best show compare metric-history run artifact models versions register promote alias unalias resolve audit delete gc export copy

function __pp_registry_models
	set -l reg $PP_REGISTRY
	test -n "$reg"; or set reg pp.db
	set -l words (commandline -opc)
	for i in (seq (count $words))
		if test "$words[$i]" = --registry; and test $i -lt (count $words)
			set reg $words[(math $i + 1)]
		end
	end
	pp-registry models --registry $reg --format csv 2>/dev/null | tail -n +2 | cut -d, -f1
end

complete -c pp-registry -f -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c pp-registry -f -n "__fish_seen_subcommand_from run; and not __fish_seen_subcommand_from start log end" -a "start log end"
complete -c pp-registry -f -n "__fish_seen_subcommand_from artifact; and not __fish_seen_subcommand_from put get list" -a "put get list"
complete -c pp-registry -f -n "__fish_seen_subcommand_from versions register promote alias unalias audit" -a "(__pp_registry_models)"
complete -c pp-registry -f -n "__fish_seen_subcommand_from resolve" -a "(__pp_registry_models | sed 's|^|models:/|')"
complete -c pp-registry -s e -l experiment -x -d 'experiment name'
complete -c pp-registry -l filter -x -d 'MLflow search filter'
complete -c pp-registry -l order-by -x -d 'sort by KEY [ASC|DESC]'
complete -c pp-registry -l limit -x -d 'at most N runs'
complete -c pp-registry -l deleted -d 'list deleted runs'
complete -c pp-registry -l stale -d 'only stale RUNNING runs'
complete -c pp-registry -l stale-after -x -d 'also runs silent this many seconds'
complete -c pp-registry -l mark-failed -d 'mark the stale runs FAILED'
complete -c pp-registry -l name -x -d 'run or artifact name'
complete -c pp-registry -l parent -x -d 'parent run id'
complete -c pp-registry -l command -x -d 'command line to record'
complete -c pp-registry -l fingerprint -x -d 'input fingerprint to record'
complete -c pp-registry -l pid -x -d 'owner process'
complete -c pp-registry -l param -x -d 'log a param K=V'
complete -c pp-registry -l metric -x -d 'log a metric K=V[@STEP]'
complete -c pp-registry -l tag -x -d 'set a tag K=V'
complete -c pp-registry -l metrics-file -r -d 'metric points from CSV'
complete -c pp-registry -l status -x -a 'FINISHED FAILED KILLED' -d 'final status'
complete -c pp-registry -l description -x -d 'model version description'
complete -c pp-registry -l archive-existing -d 'archive versions already in the stage'
complete -c pp-registry -l max -d 'higher is better'
complete -c pp-registry -l columns -x -d 'metrics.K, params.K, tags.K to show'
complete -c pp-registry -l nested -d 'list nested runs too'
complete -c pp-registry -l wide -d 'compare: show long values whole'
complete -c pp-registry -l if-better -x -a 'metrics.' -d 'move the alias only if the version is better'
complete -c pp-registry -s o -l output -r -d 'write to FILE'
complete -c pp-registry -l format -x -a 'table csv json' -d 'output format'
complete -c pp-registry -n "not __fish_seen_subcommand_from copy" -l registry -r -d 'registry database'
complete -c pp-registry -s h -l help -d 'print help'
complete -c pp-registry -l version -d 'print version'
