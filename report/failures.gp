# nmi_alloc: allocation failures per second (all reasons) vs threads.
# Data columns: 1 threads, 6 failures per second.
data = ARG1; out = ARG2; ttl = ARG3; ylab = ARG4; nser = ARG5 + 0; gpdir = ARG6
cols = ARG7; marks = ARG8
set ylabel "failures/s"
set yrange [0:1<*]
PLOT = "plot for [i=0:nser-1] data index i using 1:6 with linespoints lw 2 lc rgb word(cols, i+1) pt (word(marks, i+1)+0) title columnheader(1)"
load gpdir.'/common.gp'
