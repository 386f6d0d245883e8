// The dashboard reads only the Actuator endpoint /actuator/tiercache, once a second; the button asks
// the sample to run a short load (/api/load). It keeps to what every browser runs (XMLHttpRequest and
// promises; no fetch, async functions or spread arguments), and the chart is optional: where uPlot
// cannot run, the page says so in place of the chart and the figures still update.
(function () {
  'use strict';

  const WINDOW_SECONDS = 300;
  const series = { time: [], byCache: new Map() };
  let chart = null;

  // the JSON answer of a request, or a rejection saying why there is none
  function request(method, url) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(JSON.parse(xhr.responseText));
        }
        else {
          reject(new Error(method + ' ' + url + ' answered ' + xhr.status));
        }
      };
      xhr.onerror = () => reject(new Error(method + ' ' + url + ' got no answer'));
      xhr.send();
    });
  }

  function percent(rate) {
    return (rate === null || rate === undefined) ? '–' : (rate * 100).toFixed(1) + ' %';
  }

  function text(value) {
    return (value === null || value === undefined) ? '–' : String(value);
  }

  function row(name, report) {
    const counts = report.counts;
    const errors = counts.remoteErrors + counts.encodeFailures + counts.decodeFailures + counts.refreshFailures;
    const loadMillis = counts.loads > 0 ? parseDuration(counts.totalLoadTime) / counts.loads : null;
    const backlog = report.writeBehind ? text(report.writeBehind.depth) : '';
    const cells = [name, percent(report.hitRate.overall), percent(report.hitRate.local),
      percent(report.hitRate.remote), counts.loads, loadMillis === null ? '–' : loadMillis.toFixed(1) + ' ms',
      errors, report.localSize, backlog];
    const tr = document.createElement('tr');
    tr.dataset.cache = name;
    cells.forEach((cell, index) => {
      const td = document.createElement('td');
      td.textContent = String(cell);
      td.className = ['name', 'hit-rate', 'local', 'remote', 'loads', 'load-time', 'errors', 'size', 'backlog'][index];
      tr.appendChild(td);
    });
    return tr;
  }

  // ISO-8601 durations as Jackson writes them (PT0.000233676S, PT1M2.5S), in milliseconds
  function parseDuration(iso) {
    const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
    if (!match) {
      return 0;
    }
    return ((+match[1] || 0) * 3600 + (+match[2] || 0) * 60 + (+match[3] || 0)) * 1000;
  }

  function record(report) {
    const now = Date.now() / 1000;
    series.time.push(now);
    const names = Object.keys(report.caches);
    names.forEach((name) => {
      if (!series.byCache.has(name)) {
        series.byCache.set(name, series.time.slice(0, -1).map(() => null));
      }
    });
    series.byCache.forEach((values, name) => {
      const cache = report.caches[name];
      values.push(cache && cache.hitRate.overall !== null ? cache.hitRate.overall * 100 : null);
    });
    while (series.time.length > 0 && series.time[0] < now - WINDOW_SECONDS) {
      series.time.shift();
      series.byCache.forEach((values) => values.shift());
    }
    const element = document.getElementById('chart');
    element.dataset.points = String(series.time.length);
    try {
      drawChart(element);
    }
    catch (failure) {
      chart = null;
      element.textContent = 'No chart in this browser (' + failure + '); the figures above still update.';
      element.className = 'down';
    }
  }

  function drawChart(element) {
    if (typeof uPlot !== 'function') {
      throw new Error('uPlot did not load');
    }
    const names = [...series.byCache.keys()];
    const data = [series.time, ...names.map((name) => series.byCache.get(name))];
    if (!chart || chart.series.length !== names.length + 1) {
      if (chart) {
        chart.destroy();
      }
      element.replaceChildren();
      element.className = '';
      const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
      chart = new uPlot({
        width: 800, height: 300,
        scales: { y: { range: [0, 100] } },
        series: [{}, ...names.map((name, index) => ({ label: name, stroke: colors[index % colors.length] }))],
        axes: [{}, { values: (u, ticks) => ticks.map((tick) => tick + ' %') }]
      }, data, element);
    }
    else {
      chart.setData(data);
    }
  }

  function show(report) {
    const breaker = document.getElementById('breaker');
    breaker.textContent = text(report.breaker);
    breaker.className = report.breaker === 'CLOSED' ? '' : 'down';
    document.getElementById('invalidation-mode').textContent = text(report.invalidationMode);
    document.getElementById('invalidations').textContent =
      report.invalidations.received + ' received, ' + report.invalidations.sent + ' sent';
    const rows = document.createDocumentFragment();
    Object.keys(report.caches).sort().forEach((name) => rows.appendChild(row(name, report.caches[name])));
    document.querySelector('#caches tbody').replaceChildren(rows);
    record(report);
    const status = document.getElementById('status');
    status.textContent = 'updated ' + new Date().toLocaleTimeString();
    status.className = '';
  }

  function refresh() {
    request('GET', '/actuator/tiercache').then(show).catch((failure) => {
      const status = document.getElementById('status');
      status.textContent = 'cannot read /actuator/tiercache: ' + failure;
      status.className = 'down';
    });
  }

  document.getElementById('run-load').addEventListener('click', () => {
    const result = document.getElementById('load-result');
    result.textContent = 'running…';
    result.className = '';
    request('POST', '/api/load').then((summary) => {
      result.textContent = summary.reads + ' reads, ' + summary.writes + ' writes; ' + summary.burstCallers
        + ' callers at once on one cold product: ' + summary.burstLoads + ' database read(s)';
    }).catch((failure) => {
      result.textContent = 'the load did not run: ' + failure;
      result.className = 'down';
    }).then(() => {
      result.dataset.done = 'true';
    });
  });

  refresh();
  setInterval(refresh, 1000);
})();
