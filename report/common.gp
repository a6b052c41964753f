# Shared by the plot scripts: style, then the plot in the string PLOT
# drawn twice, to out.svg and out.png. Set by abreport with -e:
#   data (gnuplot data file, one block per series), out (path without
#   extension), ttl (title), ylab (throughput unit), nser (series count).
set datafile missing "NaN"
set grid
set key outside right top noenhanced
set title ttl noenhanced
set xlabel "threads"
set logscale x 2
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set terminal svg size 960,480 dynamic background rgb "white" font "sans,11"
set output out.'.svg'
@PLOT
set terminal pngcairo size 960,480 background rgb "white" font "sans,10"
set output out.'.png'
@PLOT
unset output
