# Memory vs threads: end of run (solid) and peak (dashed), MiB.
# Data columns: 1 threads, 4 mem end MiB, 5 mem peak MiB.
data = ARG1; out = ARG2; ttl = ARG3; ylab = ARG4; nser = ARG5 + 0; gpdir = ARG6
cols = ARG7; marks = ARG8
set ylabel "MiB (end solid, peak dashed)"
set yrange [0:*]
PLOT = "plot for [i=0:nser-1] data index i using 1:4 with linespoints lw 2 lc rgb word(cols, i+1) pt (word(marks, i+1)+0) title columnheader(1), for [i=0:nser-1] data index i using 1:5 with lines dt 2 lc rgb word(cols, i+1) notitle"
load gpdir.'/common.gp'
