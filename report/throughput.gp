# Throughput vs threads, one line per series, stddev error bars.
# Data columns: 1 threads, 2 mean, 3 stddev (in ylab units).
data = ARG1; out = ARG2; ttl = ARG3; ylab = ARG4; nser = ARG5 + 0; gpdir = ARG6
cols = ARG7; marks = ARG8
set ylabel ylab noenhanced
set yrange [0:*]
PLOT = "plot for [i=0:nser-1] data index i using 1:2:3 with yerrorlines lw 2 lc rgb word(cols, i+1) pt (word(marks, i+1)+0) title columnheader(1)"
load gpdir.'/common.gp'
