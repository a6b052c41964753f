# nmi_alloc: allocation latency inside the program, p50 (solid),
# p99 (dashed), max (dotted), ns, log scale.
# Data columns: 1 threads, 7 p50, 8 p99, 9 max.
data = ARG1; out = ARG2; ttl = ARG3; ylab = ARG4; nser = ARG5 + 0; gpdir = ARG6
cols = ARG7; marks = ARG8
set ylabel "ns (p50 solid, p99 dashed, max dotted)"
set logscale y 10
PLOT = "plot for [i=0:nser-1] data index i using 1:7 with linespoints lw 2 lc rgb word(cols, i+1) pt (word(marks, i+1)+0) title columnheader(1), for [i=0:nser-1] data index i using 1:8 with linespoints dt 2 lc rgb word(cols, i+1) pt (word(marks, i+1)+0) notitle, for [i=0:nser-1] data index i using 1:9 with lines dt 3 lc rgb word(cols, i+1) notitle"
load gpdir.'/common.gp'
