// The report's flame graphs: d3-flame-graph (vendor/d3-flamegraph.min.js)
// drawing the tree a flame/N.js script put in abFlames[id].
/* global d3, flamegraph, abFlames */
function abRenderFlame(id) {
	var el = document.getElementById(id), data = window.abFlames && abFlames[id], fg;
	var make = flamegraph.flamegraph || flamegraph.default || flamegraph;

	if (!el || !data)
		return;
	fg = make().width(Math.max(600, el.clientWidth || 1200)).cellHeight(16)
		.minFrameSize(1).sort(true).title("");
	d3.select(el).datum(data).call(fg);
	el.setAttribute("data-rendered", "1");
}
