// hopaudit's HTML report: filters, search and the rows beyond the first
// page, from the page's JSON data blocks. Site data only ever becomes
// text (textContent) or, for an http(s) URL the report marks as a link,
// an href: never markup.
(function () {
  'use strict';

  var PAGE = 100; // rows added by one "Show more"

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function num(n) {
    return n.toLocaleString('en-US');
  }

  // link writes an http(s) URL as a link, unless the report marks it
  // as no link (nl), and anything else as text.
  function link(url, noLink) {
    if (!noLink && /^https?:\/\//i.test(url)) {
      var a = el('a', '', url);
      a.href = url;
      a.rel = 'noreferrer';
      return a;
    }
    return el('span', 'nolink', url);
  }

  // statusClass is the class of a status, as the page writes it.
  function statusClass(s) {
    return s >= 200 && s < 600 ? 's' + Math.floor(s / 100) : 's0';
  }

  var blocks = {};

  // data parses a JSON data block once, when it is first needed.
  function data(id) {
    if (!(id in blocks)) {
      var node = document.getElementById(id);
      blocks[id] = node ? JSON.parse(node.textContent) : [];
    }
    return blocks[id];
  }

  // --- Findings -------------------------------------------------------

  function groupRow(g) {
    var tr = el('tr', 'sev-' + g.s);
    tr.dataset.severity = g.s;
    var url = el('td', 'url');
    url.appendChild(el('span', 'sev', g.s));
    if (g.c) {
      url.appendChild(document.createTextNode(' '));
      url.appendChild(el('span', 'change change-' + g.c, g.c));
    }
    url.appendChild(document.createTextNode(' '));
    url.appendChild(link(g.u, g.nl));
    if (g.n > 1) {
      url.appendChild(document.createTextNode(' '));
      url.appendChild(el('span', 'findings', num(g.n) + ' findings'));
    }
    tr.appendChild(url);
    tr.appendChild(el('td', 'num', num(g.i)));
    var samples = el('td', 'samples');
    var x = g.x || [];
    if (x.length) {
      var ul = el('ul');
      x.forEach(function (s) {
        var li = el('li');
        li.appendChild(link(s.u, s.nl));
        if (s.t) {
          li.appendChild(document.createTextNode(' '));
          li.appendChild(el('q', '', s.t));
        }
        if (s.k) {
          li.appendChild(document.createTextNode(' '));
          li.appendChild(el('span', 'kind', s.k));
        }
        ul.appendChild(li);
      });
      samples.appendChild(ul);
      if (g.d > x.length) {
        var more = g.d - x.length;
        samples.appendChild(el('span', 'others', 'and ' + num(more) + (more === 1 ? ' more page' : ' more pages')));
      }
    } else {
      samples.appendChild(el('span', 'none', 'none'));
    }
    tr.appendChild(samples);
    var fin = el('td', 'final');
    if (g.f) {
      if (g.fs) {
        fin.appendChild(el('span', 'status ' + statusClass(g.fs), String(g.fs)));
        fin.appendChild(document.createTextNode(' '));
      }
      fin.appendChild(link(g.f, g.fnl));
    }
    tr.appendChild(fin);
    tr.appendChild(el('td', 'fix', g.m));
    return tr;
  }

  function groupText(g) {
    var parts = [g.u, g.m, g.f || ''];
    (g.x || []).forEach(function (s) {
      parts.push(s.u, s.t || '');
    });
    return parts.join('\n').toLowerCase();
  }

  var form = document.getElementById('filters');
  var sections = Array.prototype.slice.call(document.querySelectorAll('details.rule'));

  // Each section's rows: list is what its rows are drawn from (all its
  // groups, or those that match the filters), shown how many are drawn.
  var state = sections.map(function (sec) {
    return {
      sec: sec,
      id: 'data-rule-' + sec.dataset.index,
      tbody: sec.querySelector('tbody'),
      more: sec.querySelector('.show-more'),
      match: null,
      list: null,
      shown: sec.querySelectorAll('tbody > tr').length,
      filtered: false
    };
  });

  function total(st) {
    return Number(st.sec.dataset.urls);
  }

  function updateMore(st) {
    if (!st.more) {
      return;
    }
    var n = st.list ? st.list.length : total(st);
    st.more.hidden = st.shown >= n;
    st.more.textContent = 'Show more (' + num(Math.min(PAGE, n - st.shown)) + ' of ' + num(n - st.shown) + ' left)';
  }

  function showMore(st) {
    if (!st.list) {
      st.list = data(st.id);
    }
    var end = Math.min(st.shown + PAGE, st.list.length);
    var frag = document.createDocumentFragment();
    for (var i = st.shown; i < end; i++) {
      frag.appendChild(groupRow(st.list[i]));
    }
    st.tbody.appendChild(frag);
    st.shown = end;
    updateMore(st);
  }

  function redraw(st, list) {
    st.list = list;
    st.tbody.textContent = '';
    st.shown = 0;
    showMore(st);
  }

  function filters() {
    var f = {severity: {}, rule: '', change: '', q: ''};
    Array.prototype.forEach.call(form.querySelectorAll('input[name=severity]'), function (c) {
      f.severity[c.value] = c.checked;
    });
    f.rule = form.elements.rule.value;
    f.change = form.elements.change ? form.elements.change.value : '';
    f.q = form.elements.q.value.trim().toLowerCase();
    f.active = !f.severity.error || !f.severity.warning || !f.severity.notice || f.change !== '' || f.q !== '';
    return f;
  }

  function matches(g, f) {
    if (!f.severity[g.s]) {
      return false;
    }
    if (f.change && g.c !== f.change) {
      return false;
    }
    return !f.q || groupText(g).indexOf(f.q) >= 0;
  }

  function applyFilters() {
    var f = filters();
    var shownRules = 0, urls = 0;
    state.forEach(function (st) {
      var count = st.sec.querySelector('.count');
      var note = st.sec.querySelector('.match');
      if (f.rule !== '' && f.rule !== st.sec.dataset.index) {
        st.sec.hidden = true;
        return;
      }
      if (!f.active) {
        if (st.filtered) {
          redraw(st, data(st.id));
          st.filtered = false;
        }
        if (note) {
          note.remove();
        }
        st.sec.hidden = false;
        shownRules++;
        urls += total(st);
        return;
      }
      var list = data(st.id).filter(function (g) { return matches(g, f); });
      redraw(st, list);
      st.filtered = true;
      if (!note) {
        note = el('span', 'match');
        count.appendChild(note);
      }
      note.textContent = '; ' + num(list.length) + ' match';
      st.sec.hidden = list.length === 0;
      if (list.length) {
        shownRules++;
        urls += list.length;
      }
    });
    document.getElementById('filter-status').textContent = f.active || f.rule !== '' ?
      num(urls) + ' URLs in ' + num(shownRules) + ' rules match' : '';
  }

  function debounce(fn) {
    var t = 0;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, 150);
    };
  }

  if (form) {
    form.hidden = false;
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    form.addEventListener('change', applyFilters);
    form.addEventListener('input', debounce(applyFilters));
    state.forEach(function (st) {
      if (st.more) {
        updateMore(st);
        st.more.addEventListener('click', function () { showMore(st); });
      }
    });
  }

  // --- Chains ---------------------------------------------------------

  function hopBadge(h) {
    var b = el('span', 'hop ' + h.p);
    b.appendChild(el('span', 'arrow', h.p === 'temporary' ? '\u21e2' : '\u2192'));
    b.lastChild.setAttribute('aria-hidden', 'true');
    var what = h.k ? h.k + (h.d ? ' after ' + h.d : '') : String(h.s);
    b.appendChild(document.createTextNode(' ' + what + ' ' + h.p));
    return b;
  }

  function chainItem(c) {
    var li = el('li', 'chain' + (c.tmp ? ' has-temporary' : ''));
    var ol = el('ol', 'path');
    (c.h || []).forEach(function (h) {
      var step = el('li', 'step');
      step.appendChild(link(h.u, h.nl));
      if (h.b) {
        step.appendChild(document.createTextNode(' '));
        step.appendChild(el('span', 'by', 'X-Redirect-By: ' + h.b));
      }
      if (h.x) {
        step.appendChild(document.createTextNode(' '));
        step.appendChild(el('span', 'error', h.x));
      }
      step.appendChild(el('br'));
      step.appendChild(hopBadge(h));
      ol.appendChild(step);
    });
    var e = c.e;
    var end = el('li', 'step end end-' + e.k);
    if (e.s) {
      end.appendChild(el('span', 'status ' + statusClass(e.s), String(e.s)));
      end.appendChild(document.createTextNode(' '));
    }
    end.appendChild(link(e.u, e.nl));
    if (e.k !== 'final') {
      end.appendChild(document.createTextNode(' '));
      end.appendChild(el('span', 'endkind', e.k));
    }
    if (e.b) {
      end.appendChild(document.createTextNode(' '));
      end.appendChild(el('span', 'by', 'X-Redirect-By: ' + e.b));
    }
    if (e.x) {
      end.appendChild(document.createTextNode(' '));
      end.appendChild(el('span', 'error', e.x));
    }
    ol.appendChild(end);
    li.appendChild(ol);
    return li;
  }

  function chainText(c) {
    var parts = [];
    (c.h || []).concat([c.e]).forEach(function (h) {
      parts.push(h.u, h.b || '', h.x || '');
    });
    return parts.join('\n').toLowerCase();
  }

  var chainForm = document.getElementById('chain-filters');
  var chainList = document.getElementById('chain-list');
  var chainMore = document.getElementById('chains-more');
  var chains = {list: null, shown: chainList ? chainList.querySelectorAll('li.chain').length : 0, filtered: false};

  function chainTotal() {
    return chains.list ? chains.list.length : Number(chainList.dataset.chains);
  }

  function updateChainMore() {
    if (!chainMore) {
      return;
    }
    var left = chainTotal() - chains.shown;
    chainMore.hidden = left <= 0;
    chainMore.textContent = 'Show more (' + num(Math.min(PAGE, left)) + ' of ' + num(left) + ' left)';
  }

  function moreChains() {
    if (!chains.list) {
      chains.list = data('data-chains');
    }
    var end = Math.min(chains.shown + PAGE, chains.list.length);
    var frag = document.createDocumentFragment();
    for (var i = chains.shown; i < end; i++) {
      frag.appendChild(chainItem(chains.list[i]));
    }
    chainList.appendChild(frag);
    chains.shown = end;
    updateChainMore();
  }

  function filterChains() {
    var tmp = chainForm.elements.temporary.checked;
    var q = chainForm.elements.q.value.trim().toLowerCase();
    var all = data('data-chains');
    var active = tmp || q !== '';
    if (!active && !chains.filtered) {
      return;
    }
    chains.list = active ? all.filter(function (c) {
      return (!tmp || c.tmp) && (!q || chainText(c).indexOf(q) >= 0);
    }) : all;
    chains.filtered = active;
    chainList.textContent = '';
    chains.shown = 0;
    moreChains();
    document.getElementById('chain-status').textContent = active ? num(chains.list.length) + ' of ' + num(all.length) + ' chains match' : '';
  }

  if (chainForm && chainList) {
    chainForm.hidden = false;
    chainForm.addEventListener('submit', function (e) { e.preventDefault(); });
    chainForm.addEventListener('change', filterChains);
    chainForm.addEventListener('input', debounce(filterChains));
    if (chainMore) {
      updateChainMore();
      chainMore.addEventListener('click', moreChains);
    }
  }
}());
