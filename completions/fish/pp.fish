# fish completion for pp(1), the Pattern Pursuit dispatcher.
set -l cmds cat commands describe eval features fetch help predict registry serve train
complete -c pp -f -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c pp -n "not __fish_seen_subcommand_from $cmds" -s h -l help -d 'print help'
complete -c pp -n "not __fish_seen_subcommand_from $cmds" -l version -d 'print version'
complete -c pp -n "__fish_seen_subcommand_from cat" -s B -l binary -d 'write a binary frame'
complete -c pp -n "__fish_seen_subcommand_from cat" -l compress -d 'zlib-compressed binary chunks'
complete -c pp -n "__fish_seen_subcommand_from cat" -s d -l delimiter -x -d 'CSV field separator'
complete -c pp -n "__fish_seen_subcommand_from cat" -s o -l output -r -d 'write to FILE'
complete -c pp -n "__fish_seen_subcommand_from cat" -l meta -d 'print the metadata'
complete -c pp -n "__fish_seen_subcommand_from cat" -l get-meta -x -a 'pp.spec pp.horizon pp.producer pp.source.sha256' -d 'print the value of KEY'
complete -c pp -n "__fish_seen_subcommand_from cat" -l set-meta -x -d 'set KEY=VALUE in the metadata'
complete -c pp -n "__fish_seen_subcommand_from cat" -l strip-meta -d 'drop the input metadata'
complete -c pp -n "__fish_seen_subcommand_from cat" -l select -x -d 'only these columns, in this order'
complete -c pp -n "__fish_seen_subcommand_from cat" -l head -x -d 'the first N rows'
complete -c pp -n "__fish_seen_subcommand_from cat" -l tail -x -d 'the last N rows'
complete -c pp -n "__fish_seen_subcommand_from cat" -l precision -x -d 'doubles to P significant digits'
complete -c pp -n "__fish_seen_subcommand_from describe" -l by -x -a symbol -d 'one summary per value of a text column'
complete -c pp -n "__fish_seen_subcommand_from describe" -l precision -x -d 'doubles to P significant digits'
complete -c pp -n "__fish_seen_subcommand_from describe" -s B -l binary -d 'write a binary frame'
complete -c pp -n "__fish_seen_subcommand_from describe" -s o -l output -r -d 'write to FILE'
complete -c pp -n "__fish_seen_subcommand_from describe" -s d -l delimiter -x -d 'CSV field separator'
complete -c pp -f -n "__fish_seen_subcommand_from help" -a "$cmds frame model"
