// govkb search page: reads its state from the URL (?q=…&kind=…&page=…, ?doc=…,
// ?docs=1), asks the JSON API and renders with DOM calls. Only the snippets
// (escaped by the server, with <b> around matches) are inserted as HTML.
"use strict";

const PAGE_SIZE = 10;
const MAX_OFFSET = 10000;
const FILTERS = ["kind", "doc_type", "year", "region", "unit", "per_article"];
/** Choices of the per-article limit menu ("" is no limit). */
const PER_ARTICLE = [["1", "1 条"], ["2", "2 条"], ["3", "3 条"]];
/** Kinds listed from their passages, which a per-article limit does not apply to. */
const NO_PER_ARTICLE = ["figure", "measure", "unit"];

const KIND = {
  passage: "段落", case: "案例", figure: "数据", measure: "措施",
  unit: "单位", article: "文章", document: "文档",
};
const DOC_TYPE = {
  bulletin: "简报", notice: "通知", work_points: "工作要点",
  plan: "方案", magazine: "期刊", other: "其他",
};
const ROLE = {
  lead: "牵头单位", responsible: "责任单位", cooperating: "配合单位",
  credit: "供稿单位", author: "作者单位", issuer: "发文机关",
};

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "html") e.innerHTML = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === "") continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** A row of " · "-separated spans, skipping empty values. */
function dotted(cls, values) {
  const parts = values.filter((v) => v !== null && v !== undefined && v !== "");
  return parts.length ? el("div", { class: cls }, parts.map((v) => el("span", {}, v))) : null;
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    body = null;
  }
  if (!res.ok) {
    throw new Error((body && body.detail) || `服务器返回 ${res.status}`);
  }
  return body;
}

// ---------------------------------------------------------------- state

function readState() {
  const u = new URLSearchParams(location.search);
  const s = { q: (u.get("q") || "").trim(), page: Math.max(1, parseInt(u.get("page") || "1", 10) || 1) };
  for (const f of FILTERS) s[f] = u.get(f) || "";
  s.within = u.get("within") || "";
  s.doc = u.get("doc") || "";
  s.article = u.get("article") || "";
  s.docs = u.has("docs");
  return s;
}

function searchUrl(s) {
  const u = new URLSearchParams();
  if (s.q) u.set("q", s.q);
  for (const f of FILTERS) if (s[f]) u.set(f, s[f]);
  if (s.within) u.set("within", s.within);
  if (s.page > 1) u.set("page", String(s.page));
  return "/?" + u.toString();
}

function docHref(docId, articleId) {
  const u = new URLSearchParams({ doc: docId });
  if (articleId) u.set("article", articleId);
  return "/?" + u.toString();
}

/** True once the user has moved within the page (so "back" stays in it). */
let navigated = false;

/** Go to an in-page URL without reloading. */
function go(url) {
  navigated = true;
  history.pushState(null, "", url);
  route();
}

/** Links inside the page navigate in place. */
document.addEventListener("click", (ev) => {
  const a = ev.target.closest && ev.target.closest("a[href^='/?'], a[href='/']");
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  go(a.getAttribute("href"));
});
window.addEventListener("popstate", route);

// ---------------------------------------------------------------- search

let seq = 0;

function show(view) {
  $("search-view").hidden = view !== "search";
  $("doc-view").hidden = view !== "doc";
}

async function runSearch(s) {
  show("search");
  $("intro").hidden = true;
  $("filters").hidden = false;
  $("q").value = s.q;
  document.title = `${s.q} - 政务简报知识库`;
  const mine = ++seq;
  $("status").textContent = "正在检索……";
  const p = new URLSearchParams({ q: s.q, limit: PAGE_SIZE, offset: (s.page - 1) * PAGE_SIZE });
  for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
  if (NO_PER_ARTICLE.includes(s.kind)) p.delete("per_article");
  if (s.within) p.set("within", s.within);
  const fp = new URLSearchParams({ q: s.q });
  if (s.kind) fp.set("kind", s.kind);
  try {
    const [res, facets] = await Promise.all([
      getJSON("/api/search?" + p),
      getJSON("/api/facets?" + fp).catch(() => null),
    ]);
    if (mine !== seq) return;
    renderFilters(s, facets);
    renderWithin(s, res);
    renderHits(s, res);
  } catch (e) {
    if (mine !== seq) return;
    renderFilters(s, null);
    renderWithin(s, null);
    $("hits").replaceChildren();
    $("pager").replaceChildren();
    $("status").replaceChildren(el("span", { class: "error" }, "检索失败：" + e.message));
  }
}

function fillSelect(select, current, options, all = "全部") {
  const opts = [el("option", { value: "" }, all)];
  let seen = current === "";
  for (const [value, label] of options) {
    seen = seen || value === current;
    opts.push(el("option", { value, selected: value === current }, label));
  }
  if (!seen) opts.push(el("option", { value: current, selected: true }, current));
  select.replaceChildren(...opts);
}

function renderFilters(s, f) {
  const counted = (list, label) => (list || []).map((v) => [v.value, `${label ? label(v.value) : v.value}（${v.count}）`]);
  $("f-kind").replaceChildren(
    ...Object.entries(KIND).map(([k, label]) =>
      el("option", { value: k === "passage" ? "" : k, selected: (s.kind || "passage") === k }, label)),
  );
  fillSelect($("f-doc_type"), s.doc_type, counted(f && f.doc_type, (v) => DOC_TYPE[v] || v));
  fillSelect($("f-year"), s.year, counted(f && f.year, (v) => `${v}年`));
  fillSelect($("f-region"), s.region, counted(f && f.region));
  fillSelect($("f-unit"), s.unit, counted(f && f.unit));
  fillSelect($("f-per_article"), s.per_article, PER_ARTICLE, "不限");
  $("f-per_article").disabled = NO_PER_ARTICLE.includes(s.kind);
}

/** The "only within" line: the article's or document's title when a hit names it, else the id. */
function renderWithin(s, res) {
  const within = $("within");
  within.hidden = !s.within;
  if (!s.within) return within.replaceChildren();
  const h = ((res && res.hits) || [])[0];
  const title = !h ? s.within
    : h.article_id === s.within ? h.article_title || s.within
    : h.doc_id === s.within ? h.doc_title : s.within;
  within.replaceChildren("仅限：", el("span", { class: "scope", title: s.within }, title), " ",
    el("a", { href: searchUrl({ ...s, within: "", page: 1 }) }, "取消"));
}

function renderHits(s, res) {
  const status = $("status");
  if (!res.hits.length) {
    status.replaceChildren(`没有找到与“${s.q}”相关的结果。请减少关键词或放宽筛选条件。`);
  } else {
    const first = (s.page - 1) * PAGE_SIZE + 1;
    status.replaceChildren(
      `找到 ${res.total} 条结果，当前第 ${first}–${first + res.hits.length - 1} 条（用时 ${res.took_ms.toFixed(1)} 毫秒）`,
      res.relaxed ? el("span", { class: "relaxed" }, "；没有同时包含全部关键词的结果，以下含部分关键词") : "",
    );
  }
  $("hits").replaceChildren(...res.hits.map((h) => hitItem(h, s)));
  renderPager(s, res.total);
}

function hitItem(h, s) {
  const title = h.title || h.article_title || h.doc_title;
  const section = h.kind === "passage" || h.kind === "measure" ? h.section_path : [];
  const tags = [];
  if (h.locality) tags.push(el("span", { class: "tag place" }, "地点：" + h.locality));
  for (const u of h.units || []) tags.push(el("span", { class: "tag" }, u));
  for (const t of h.themes || []) tags.push(el("span", { class: "tag" }, "#" + t));
  if (h.expansions && h.expansions.length) {
    tags.push(el("span", { class: "tag syn" }, "同义词：" + h.expansions.join("、")));
  }
  return el("li", { class: "hit", "data-id": h.id },
    el("div", { class: "hit-head" },
      el("span", { class: "badge" }, KIND[h.kind] || h.kind),
      el("a", { class: "hit-title", href: docHref(h.doc_id, h.article_id) }, title)),
    dotted("meta", [h.doc_title !== title ? h.doc_title : "", h.issue, h.date, DOC_TYPE[h.doc_type]]),
    dotted("path", section),
    h.kind === "figure" ? null : el("p", { class: "snippet", html: h.snippet }),
    extra(h),
    alsoIn(h),
    moreInArticle(h, s),
    tags.length ? el("div", { class: "tags" }, tags) : null);
}

/** The other documents a reprinted hit appears in (its collapsed copies). */
function alsoIn(h) {
  const copies = h.also_in || [];
  if (!copies.length) return null;
  return el("div", { class: "also-in" }, "另见于：",
    copies.map((c, i) => [
      i ? "；" : "",
      el("a", { href: docHref(c.id.split("#")[0]), title: c.article_title || "" },
        [c.doc_title, c.issue].filter(Boolean).join(" ")),
    ]),
    h.also_in_count > copies.length ? `等${h.also_in_count}处` : null);
}

/** With a per-article limit, a link to the rest of the hit's article's matches. */
function moreInArticle(h, s) {
  if (!h.more_in_article) return null;
  const within = h.article_id || h.doc_id;
  return el("div", { class: "more-in" },
    el("a", { href: searchUrl({ ...s, within, per_article: "", page: 1 }) },
      `本${h.article_id ? "文" : "文件"}另有 ${h.more_in_article} 条结果`));
}

/** Kind-specific detail under a hit. */
function extra(h) {
  switch (h.kind) {
    case "figure": {
      const sentence = escapeHtml(h.sentence || "");
      const mark = escapeHtml(h.text);
      const i = sentence.indexOf(mark);
      const html = i < 0 ? sentence : `${sentence.slice(0, i)}<b>${mark}</b>${sentence.slice(i + mark.length)}`;
      return el("div", { class: "extra" }, h.subject ? `${h.subject}：` : "", el("span", { html }));
    }
    case "unit":
      return el("div", { class: "extra" },
        `${ROLE[h.role] || h.role || "单位"}：${h.unit_full || h.unit}`,
        h.measure ? `（${h.measure}）` : "");
    case "measure":
      return dotted("extra", [
        (h.lead || []).length ? "牵头：" + h.lead.join("、") : "",
        (h.responsible || []).length ? "责任：" + h.responsible.join("、") : "",
        (h.cooperating || []).length ? "配合：" + h.cooperating.join("、") : "",
      ]);
    default:
      return null;
  }
}

function renderPager(s, total) {
  const reachable = Math.min(total, MAX_OFFSET + PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(reachable / PAGE_SIZE));
  const nav = $("pager");
  if (pages <= 1) {
    nav.replaceChildren();
    return;
  }
  const link = (page, label) => page === s.page
    ? el("span", { class: "current", "aria-current": "page" }, label)
    : el("a", { href: searchUrl({ ...s, page }) }, label);
  const items = [];
  items.push(s.page > 1 ? link(s.page - 1, "上一页") : el("span", { class: "disabled" }, "上一页"));
  const from = Math.max(1, Math.min(s.page - 4, pages - 8));
  const to = Math.min(pages, from + 8);
  for (let p = from; p <= to; p++) items.push(link(p, String(p)));
  items.push(s.page < pages ? link(s.page + 1, "下一页") : el("span", { class: "disabled" }, "下一页"));
  nav.replaceChildren(...items);
}

// ---------------------------------------------------------------- documents

/** "Back" returns to the previous page of this tab when there is one, else to the start. */
function backLink() {
  return el("p", { class: "back" }, el("a", {
    href: "/",
    onclick: (ev) => {
      if (navigated) {
        ev.preventDefault();
        ev.stopPropagation();
        history.back();
      }
    },
  }, "← 返回"));
}

async function showDocList() {
  show("doc");
  const view = $("doc-view");
  document.title = "全部文档 - 政务简报知识库";
  view.replaceChildren(el("p", { class: "status" }, "正在加载……"));
  try {
    const { documents } = await getJSON("/api/documents");
    view.replaceChildren(
      el("p", { class: "back" }, el("a", { href: "/" }, "← 检索")),
      el("h2", {}, `全部文档（${documents.length}）`),
      el("ol", { class: "doclist" }, documents.map((d) => el("li", {},
        el("a", { href: docHref(d.id) }, d.title || d.id),
        dotted("meta", [DOC_TYPE[d.doc_type], d.issue, d.doc_number, d.date, `${(d.articles || []).length} 篇`, d.file]))),
      ));
  } catch (e) {
    view.replaceChildren(el("p", { class: "error" }, "加载失败：" + e.message));
  }
}

function tree(sections) {
  if (!sections || !sections.length) return null;
  return el("ul", { class: "tree" }, sections.map((s) => el("li", {}, s.heading, tree(s.children))));
}

function table(headers, rows) {
  return el("table", { class: "list" },
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
}

const SHOWN = 200;

/** Collapsible lists of a document's or article's extracted records. */
function extractedSections(d) {
  const block = (label, list, render) => list && list.length
    ? el("details", { class: "extracted" },
      el("summary", {}, `${label}（${list.length}）`),
      render(list.slice(0, SHOWN)),
      list.length > SHOWN ? el("p", { class: "status" }, `仅显示前 ${SHOWN} 条`) : null)
    : null;
  return [
    block("典型案例", d.cases, (l) => table(["案例", "主题", "地点"],
      l.map((c) => [c.title || c.article_title || "", (c.themes || []).join("、"), c.locality || ""]))),
    block("数据", d.figures, (l) => table(["数据", "指标", "原句"],
      l.map((f) => [f.text, f.subject || "", f.sentence || ""]))),
    block("措施与分工", d.measures, (l) => table(["措施", "牵头单位", "责任单位"],
      l.map((m) => [m.heading || m.text.slice(0, 40), (m.lead || []).join("、"), (m.responsible || []).join("、")]))),
    block("单位", d.units, (l) => table(["单位", "全称", "角色", "出处"],
      l.map((u) => [u.unit, u.unit_full || "", ROLE[u.role] || u.role || "", u.measure || u.article_title || ""]))),
  ];
}

async function loadPassages(articleId, box, button) {
  button.disabled = true;
  try {
    const a = await getJSON("/api/articles/" + encodeURIComponent(articleId));
    box.replaceChildren(...a.passages.map((p) => el("div", { class: "passage" },
      dotted("path", p.section_path), el("div", {}, p.text))));
    button.remove();
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, "加载失败：" + e.message));
    button.disabled = false;
  }
}

function articleBlock(a, target) {
  const box = el("div", { class: "passages" });
  const button = el("button", { type: "button", class: "link" }, "展开正文");
  button.addEventListener("click", () => loadPassages(a.id, box, button));
  const block = el("article", { class: "article" + (target ? " target" : ""), id: a.id },
    el("h3", {}, a.title || a.article_title || a.id),
    dotted("meta", [a.column, a.credit, a.locality]),
    (a.units || []).length ? el("div", { class: "tags" }, a.units.map((u) => el("span", { class: "tag" }, u))) : null,
    tree(a.sections),
    el("p", {}, button),
    box);
  if (target) loadPassages(a.id, box, button);
  return block;
}

async function showDoc(s) {
  show("doc");
  const view = $("doc-view");
  view.replaceChildren(el("p", { class: "status" }, "正在加载……"));
  try {
    const d = await getJSON("/api/documents/" + encodeURIComponent(s.doc));
    document.title = `${d.title} - 政务简报知识库`;
    const facts = [
      ["类型", DOC_TYPE[d.doc_type] || d.doc_type], ["发文机关", d.issuer], ["文号", d.doc_number],
      ["期号", d.issue], ["总期号", d.total_issue], ["日期", d.date], ["责任编辑", d.editor], ["文件", d.file],
    ].filter(([, v]) => v);
    view.replaceChildren(
      backLink(),
      el("h2", {}, d.title || d.id),
      el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      ...extractedSections(d).filter(Boolean),
      el("h3", { class: "section-title" }, `文章与章节（${d.articles.length}）`),
      ...d.articles.map((a) => articleBlock(a, a.id === s.article)),
    );
    const target = s.article && document.getElementById(s.article);
    if (target) target.scrollIntoView({ block: "start" });
    else window.scrollTo(0, 0);
  } catch (e) {
    view.replaceChildren(backLink(), el("p", { class: "error" }, "加载失败：" + e.message));
  }
}

// ---------------------------------------------------------------- start

function route() {
  const s = readState();
  if (s.doc) return showDoc(s);
  if (s.docs) return showDocList();
  if (s.q) return runSearch(s);
  show("search");
  $("q").value = "";
  document.title = "政务简报知识库";
  $("intro").hidden = false;
  $("filters").hidden = true;
  $("status").replaceChildren();
  $("hits").replaceChildren();
  $("pager").replaceChildren();
  return null;
}

$("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $("q").value.trim();
  if (!q) return;
  go(searchUrl({ ...readState(), q, page: 1 }));
});

for (const f of FILTERS) {
  $("f-" + f).addEventListener("change", (ev) => {
    go(searchUrl({ ...readState(), [f]: ev.target.value, page: 1 }));
  });
}

$("clear-filters").addEventListener("click", () => {
  go(searchUrl({ q: readState().q, page: 1 }));
});

route();
