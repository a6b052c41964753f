# Shared by the plot scripts: style, then the plot in the string PLOT
# drawn twice, to out.svg and out.png. abreport runs each script with
# gnuplot -c in the report directory; its arguments are string variables,
# never read as commands, which the script copies (load clears them):
#   data (ARG1, data file, one block per series), out (ARG2, path without
#   extension), ttl (ARG3, title), ylab (ARG4, throughput unit), nser
#   (ARG5, series count), gpdir (ARG6, the directory of the scripts),
#   cols (ARG7, "#rrggbb" a series: its variant's colour, the same in
#   every plot) and marks (ARG8, point type a series: its map's marker).
# A script draws series i with lc rgb word(cols, i+1), pt (word(marks, i+1)+0).
set datafile missing "NaN"
set grid
set key outside right top noenhanced
set title ttl noenhanced
set xlabel "threads"
set logscale x 2
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set pointsize 1.2
set terminal svg size 960,480 dynamic background rgb "white" font "sans,11"
set output out.'.svg'
@PLOT
set terminal pngcairo size 960,480 background rgb "white" font "sans,10"
set output out.'.png'
@PLOT
unset output
