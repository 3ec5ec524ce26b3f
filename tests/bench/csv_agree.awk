# csv_agree.awk - do two CSV outputs of the same features agree?
#
#     awk -F, -v other=B.csv [-v tol=1e-9] [-v warm=N] -f csv_agree.awk A.csv
#
# Same header, same rows in the same order; a cell agrees when both are
# text and equal, both are empty (missing), or both are numbers within
# tol relative (absolute below 1).  With warm=N the first N rows of each
# symbol (column 1) and the cells that only one side fills are not
# compared: peers that seed their averages differently agree once the
# seed has decayed.  Prints the first disagreement and exits 1, or says
# how many cells agreed.  No quoted fields (the bench frames have none).
BEGIN {
	if (tol == "")
		tol = 1e-9
	if (warm == "")
		warm = 0
	bad = 0
}
{
	if ((getline line < other) <= 0) {
		printf "agree: %s ends at line %d\n", other, NR
		bad = 1
		exit 1
	}
	n = split(line, b, ",")
	if (n != NF) {
		printf "agree: line %d: %d fields against %d\n", NR, NF, n
		bad = 1
		exit 1
	}
	if (NR == 1) {
		for (i = 1; i <= NF; i++)
			name[i] = $i
	}
	if (NR > 1 && ++seen[$1] <= warm)
		next
	for (i = 1; i <= NF; i++) {
		if ($i == b[i])
			continue
		if (($i == "" || b[i] == "") && warm > 0)
			continue
		if (NR > 1 && $i != "" && b[i] != "" && num($i) && num(b[i])) {
			d = $i - b[i]
			d = d < 0 ? -d : d
			s = $i < 0 ? -$i : $i
			if (s < 1)
				s = 1
			if (d <= tol * s)
				continue
		}
		printf "agree: line %d, %s: %s against %s\n", NR, name[i], $i, b[i]
		bad = 1
		exit 1
	}
	cells += NF
}
END {
	if (bad)
		exit 1
	if ((getline line < other) > 0) {
		printf "agree: %s has more lines\n", other
		exit 1
	}
	printf "agree: %d cells\n", cells
}
function num(s) {
	return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}
