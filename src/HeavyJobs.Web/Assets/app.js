// The dashboard's only script. It refreshes what the server painted by polling the JSON API, draws the
// throughput charts as SVG, and sends the operator's buttons as POSTs with the antiforgery token.
// Data is only ever put on the page with textContent and attributes, never parsed as HTML.
(() => {
    'use strict';

    const meta = name => document.querySelector(`meta[name="${name}"]`)?.content ?? '';
    const csrfToken = meta('heavyjobs-csrf');
    const csrfHeader = meta('heavyjobs-csrf-header');
    const refreshMs = Number(meta('heavyjobs-refresh-ms')) || 2000;
    const operator = meta('heavyjobs-role') === 'operator';
    const none = '\u2014';
    const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

    const at = (obj, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
    const el = (tag, attrs = {}, text) => {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
        if (text !== undefined) e.textContent = text;
        return e;
    };
    const svg = (tag, attrs = {}) => {
        const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
        return e;
    };
    const pad = n => String(n).padStart(2, '0');

    function duration(seconds) {
        if (seconds < 0) return none;
        const s = Math.round(seconds);
        if (s >= 86400) return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
        if (s >= 3600) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
        if (s >= 60) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
        return `${s}s`;
    }

    // "done" at zero; "≥ " before a lower bound (the job waits on a barrier whose run time is not known yet).
    const eta = (seconds, atLeast) => (seconds <= 0 ? 'done' : (atLeast ? '\u2265 ' : '') + duration(seconds));

    function bytes(b) {
        if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
        if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
        if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(0)} KiB`;
        return `${b.toFixed(0)} B`;
    }

    function plain(v) {
        if (v === null || v === undefined) return '';
        return typeof v === 'object' ? JSON.stringify(v) : String(v);
    }

    // The same formats as Fmt.cs on the server.
    function format(v, fmt) {
        if (v === null || v === undefined) return !fmt || fmt === 'text' || fmt === 'lines' ? '' : none;
        switch (fmt) {
            case 'num': return typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : plain(v);
            case 'dec': return typeof v === 'number' ? v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : plain(v);
            case 'pct': return typeof v === 'number' ? `${v.toFixed(1)}%` : plain(v);
            case 'bytes': return typeof v === 'number' ? bytes(v) : plain(v);
            case 'dur': return typeof v === 'number' ? duration(v) : plain(v);
            case 'time': {
                const d = new Date(v);
                return isNaN(d) ? plain(v) : d.toISOString().replace('T', ' ').slice(0, 19);
            }
            case 'list': return Array.isArray(v) ? v.map(plain).join(', ') : plain(v);
            case 'yes': return v === true ? 'yes' : '';
            case 'eta': return typeof v === 'object' && typeof v.seconds === 'number' ? eta(v.seconds, v.isLowerBound === true) : plain(v);
            default: return plain(v);
        }
    }

    // Fills {field} from the row, each value escaped for a URL.
    const fill = (template, row) => template.replace(/\{([^}]+)\}/g, (_, path) => encodeURIComponent(plain(at(row, path))));

    function cell(row, th) {
        const fmt = th.dataset.fmt;
        const td = el('td');
        if (['num', 'dec', 'pct', 'bytes', 'dur', 'eta'].includes(fmt)) td.className = 'n';
        if (th.dataset.actions) {
            for (const a of JSON.parse(th.dataset.actions)) {
                td.append(el('button', { type: 'button', 'data-post': fill(a.post, row), 'data-body': a.body, 'data-confirm': a.confirm }, a.label));
            }
            return td;
        }
        const text = format(at(row, th.dataset.col), fmt);
        if (th.dataset.link && text.length > 0) td.append(el('a', { href: fill(th.dataset.link, row) }, text));
        else if (fmt === 'state') td.append(el('span', { class: `state state-${text}` }, text));
        else if (fmt === 'lines') td.append(el('pre', {}, text));
        else td.textContent = text;
        return td;
    }

    function renderTable(table, rows) {
        const columns = [...table.tHead.rows[0].cells];
        const body = table.tBodies[0];
        if (!Array.isArray(rows) || rows.length === 0) {
            const tr = el('tr', { class: 'empty' });
            tr.append(el('td', { colspan: columns.length }, table.dataset.empty || 'nothing'));
            body.replaceChildren(tr);
            return;
        }
        body.replaceChildren(...rows.map(row => {
            const tr = el('tr', { 'data-key': plain(row.id ?? row.key) });
            tr.append(...columns.map(th => cell(row, th)));
            return tr;
        }));
    }

    // 1, 2 or 5 times a power of ten, so the grid lines fall on round numbers.
    function niceCeiling(v) {
        const p = 10 ** Math.floor(Math.log10(v));
        return [1, 2, 5, 10].map(m => m * p).find(n => n >= v);
    }

    function renderChart(figure, series, data) {
        const w = 900, h = 260, left = 56, right = 10, top = 10, bottom = 24;
        const from = Date.parse(data.from), to = Date.parse(data.to);
        const perMinute = 60 / (data.stepSeconds || 60);
        const stepMs = (data.stepSeconds || 60) * 1000;
        const items = (series || []).filter(s => s.points.length > 0);
        const max = niceCeiling(Math.max(1, ...items.flatMap(s => s.points.map(p => p[1] * perMinute))));
        const x = t => left + ((t - from) / Math.max(1, to - from)) * (w - left - right);
        const y = v => top + (1 - v / max) * (h - top - bottom);

        const chart = svg('svg', { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img' });
        for (let i = 0; i <= 4; i++) {
            const v = (max * i) / 4;
            chart.append(svg('line', { class: 'grid', x1: left, x2: w - right, y1: y(v), y2: y(v) }));
            const label = svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' });
            label.textContent = format(v, v >= 10 ? 'num' : 'dec');
            chart.append(label);
        }
        for (let i = 0; i <= 4; i++) {
            const t = from + ((to - from) * i) / 4;
            const d = new Date(t);
            const label = svg('text', { x: x(t), y: h - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' });
            label.textContent = to - from > 86400000 ? `${d.getUTCMonth() + 1}/${d.getUTCDate()} ${pad(d.getUTCHours())}:00` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
            chart.append(label);
        }
        chart.append(svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: h - bottom }));
        chart.append(svg('line', { class: 'axis', x1: left, x2: w - right, y1: h - bottom, y2: h - bottom }));

        const legend = el('div', { class: 'legend' });
        items.forEach((s, i) => {
            const color = palette[i % palette.length];
            // A step with no samples breaks the line: it is not drawn across the gap as if work went on.
            const alone = (p, j) => (j === 0 || p[0] - s.points[j - 1][0] > stepMs) && (j === s.points.length - 1 || s.points[j + 1][0] - p[0] > stepMs);
            const d = s.points.map((p, j) => `${j === 0 || p[0] - s.points[j - 1][0] > stepMs ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1] * perMinute).toFixed(1)}`).join(' ');
            const path = svg('path', { class: 'series', d, stroke: color, 'data-series': s.key, 'data-label': s.label });
            const title = svg('title');
            title.textContent = `${s.label}: ${format(s.items, 'num')} items, ${format(s.good, 'num')} good, ${format(s.bad, 'num')} bad`;
            path.append(title);
            chart.append(path);
            // A point with no neighbour is a dot, not an invisible line.
            s.points.forEach((p, j) => {
                if (alone(p, j)) chart.append(svg('circle', { class: 'dot', cx: x(p[0]).toFixed(1), cy: y(p[1] * perMinute).toFixed(1), r: 3.5, fill: color }));
            });
            const key = el('span', { 'data-series': s.key }, s.label);
            key.style.setProperty('--swatch', color);
            legend.append(key);
        });
        figure.replaceChildren(chart, items.length ? legend : el('div', { class: 'nodata' }, 'no samples in this range'));
    }

    function render(data) {
        document.querySelectorAll('[data-bind]').forEach(e => {
            const text = format(at(data, e.dataset.bind), e.dataset.fmt);
            if (e.textContent !== text) e.textContent = text;
            if (e.dataset.fmt === 'state') e.className = `state state-${text}`;
        });
        document.querySelectorAll('[data-show-if]').forEach(e => {
            const v = at(data, e.dataset.showIf);
            e.hidden = !(Array.isArray(v) ? v.length : v);
        });
        document.querySelectorAll('table[data-rows]').forEach(t => renderTable(t, at(data, t.dataset.rows)));
        document.querySelectorAll('[data-chart]').forEach(f => renderChart(f, at(data, f.dataset.chart), data));
    }

    // Razor writes data- attributes even when empty: no sources means a page that does not refresh.
    const main = document.querySelector('main[data-sources]');
    const sources = main && main.dataset.sources ? JSON.parse(main.dataset.sources) : null;
    const status = document.getElementById('live-status');
    let polling = false;

    async function refresh() {
        if (!sources || polling) return;
        polling = true;
        try {
            const names = Object.keys(sources);
            const answers = await Promise.all(names.map(async name => {
                const r = await fetch(sources[name], { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
                if (!r.ok) throw new Error(`${sources[name]}: ${r.status}`);
                return r.json();
            }));
            const data = names.length === 1 && names[0] === '' ? answers[0] : Object.fromEntries(names.map((n, i) => [n, answers[i]]));
            render(data);
            if (status) { status.textContent = 'live'; status.classList.remove('stale'); }
        } catch (e) {
            if (status) { status.textContent = 'not refreshing'; status.title = String(e); status.classList.add('stale'); }
        } finally {
            polling = false;
        }
    }

    const flash = document.getElementById('flash');
    let flashTimer;
    function say(text, ok) {
        if (!flash) return;
        flash.textContent = text;
        flash.className = ok ? '' : 'failed';
        flash.hidden = false;
        clearTimeout(flashTimer);
        flashTimer = setTimeout(() => { flash.hidden = true; }, 6000);
    }

    async function post(url, body) {
        try {
            const r = await fetch(url, {
                method: 'POST',
                credentials: 'same-origin',
                headers: { [csrfHeader]: csrfToken, 'Content-Type': 'application/json', Accept: 'application/json' },
                body: JSON.stringify(body ?? {}),
            });
            const answer = await r.json().catch(() => ({}));
            say(answer.message || answer.title || `${r.status} ${r.statusText}`, r.ok);
        } catch (e) {
            say(String(e), false);
        }
        await refresh();
    }

    document.addEventListener('click', e => {
        const button = e.target.closest('button[data-post]');
        if (!button || !operator) return;
        e.preventDefault();
        if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
        post(button.dataset.post, button.dataset.body ? JSON.parse(button.dataset.body) : undefined);
    });

    document.addEventListener('submit', e => {
        const form = e.target.closest('form[data-post-json]');
        if (!form) return;
        e.preventDefault();
        const body = {};
        for (const input of form.querySelectorAll('input[name]')) body[input.name] = input.type === 'number' ? Number(input.value) : input.value;
        post(form.dataset.postJson, body);
    });

    if (sources) {
        refresh();
        setInterval(refresh, refreshMs);
    }
})();
