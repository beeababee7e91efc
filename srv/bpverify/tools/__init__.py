"""Developer and operator tools behind `bpverify` subcommands."""
