// The policy self-test: one question at a time, always the fact that decides the most rules
// still open (the engine's own `questions` from POST /gaps); matched entitlements after each
// answer (POST /evaluate); the printable notice (POST /notice). Plain JavaScript, no build.
"use strict";

const UNITS = { cash: "资金", saving: "减免", recommendation: "推荐奖励",
  price_floor_per_m2: "元/平方米（土地出让最低价）", deadline: "办理时限", period_end: "期限截止", right: "权益" };
const PAYERS = { national: "国家", provincial: "省级", city: "市级", county: "县级", bank: "银行" };

const state = { fields: {}, profile: {}, skipped: new Set(), current: null, asked: 0, choice: null,
  items: [] };
const $ = (id) => document.getElementById(id);

async function call(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": "zh-CN" },
    body: JSON.stringify(body),
  });
  const data = path === "/notice" && response.ok ? await response.text() : await response.json();
  if (!response.ok) {
    const detail = (data.problems || []).map((p) => `${p.field || ""}：${p.message}`).join("；");
    throw new Error(`${data.message}${detail ? " " + detail : ""}`);
  }
  return data;
}

function asOf() { return $("as-of").value; }

function fieldOf(prop, schemas) {
  const branches = (prop.anyOf || [prop]).filter((b) => b.type !== "null");
  const first = branches[0] || {};
  let kind = first.type || "string";
  if (first.anyOf) kind = "number";
  if (first.enum) kind = "enum";
  if (first.format === "date") kind = "date";
  const field = { title: prop.title || "", description: prop.description || "", kind,
    values: first.enum || [], labels: prop.labels || {}, unit: prop.unit || "" };
  if (first.type === "array") {
    field.kind = "list";
    const items = first.items || {};
    if (items.$ref) {
      const item = schemas[items.$ref.split("/").pop()];
      field.fields = {};
      for (const [name, itemProp] of Object.entries(item.properties)) {
        field.fields[name] = fieldOf(itemProp, schemas);
        field.fields[name].title ||= name;
      }
    } else {
      field.item = fieldOf(items, schemas);
    }
  }
  return field;
}

function profileFields(openapi) {
  const schemas = openapi.components.schemas;
  const out = {};
  for (const [name, prop] of Object.entries(schemas.EnterpriseProfile.properties)) {
    out[name] = fieldOf(prop, schemas);
    out[name].title ||= name;
  }
  return out;
}

function nextQuestion(questions) {
  for (const q of questions) {
    const field = state.fields[q.fact];
    // an item's own facts (projects[0].kind) were asked by the item's form
    if (!field || state.skipped.has(q.fact) || q.fact in state.profile) {
      continue;
    }
    return q;
  }
  return null;
}

function choiceButtons(answer, choices) {
  for (const [label, value, id] of choices) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = id;
    button.className = "choice";
    button.textContent = label;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      state.choice = value;
      for (const b of answer.querySelectorAll("button.choice")) b.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
    });
    answer.append(button);
  }
}

// An input for one value: a select for an enum (by its labels) or a yes/no, else a text box.
function valueInput(field, id) {
  if (field.kind === "enum" || field.kind === "boolean") {
    const select = document.createElement("select");
    select.id = id;
    const choices = field.kind === "enum"
      ? field.values.map((v) => [v, field.labels[v] || v])
      : [["true", "是"], ["false", "否"]];
    for (const [value, label] of [["", "请选择"], ...choices]) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      select.append(option);
    }
    return select;
  }
  const input = document.createElement("input");
  input.id = id;
  input.type = field.kind === "date" ? "date" : "text";
  return input;
}

function typed(field, text) {
  if (field.kind === "boolean") return text === "true";
  if (field.kind === "integer") {
    const number = Number(text.replace(/,/g, ""));
    return Number.isInteger(number) ? number : text;
  }
  return text;
}

function renderQuestion(question) {
  state.current = question;
  state.choice = null;
  state.items = [];
  $("problem").textContent = "";
  if (!question) {
    $("ask").hidden = true;
    $("done").hidden = false;
    return;
  }
  const field = state.fields[question.fact];
  state.asked += 1;
  $("question-number").textContent = String(state.asked);
  $("question-title").textContent = field.title;
  $("question-title").dataset.fact = question.fact;
  $("question-help").textContent = `可确定 ${question.decides.length} 项政策` +
    (field.unit === "yuan" ? "；金额单位：元，可写“5000万”" : "");
  const answer = $("answer");
  answer.replaceChildren();
  $("answer-none").hidden = field.kind !== "list";
  if (field.kind === "list") {
    renderListForm(answer, field);
  } else if (field.kind === "boolean") {
    choiceButtons(answer, [["是", true, "answer-yes"], ["否", false, "answer-no"]]);
  } else {
    const input = valueInput(field, "answer-input");
    answer.append(input);
    input.focus();
  }
}

// A list question: the enterprise adds its items one by one (each item's fields, by their
// Chinese titles), or answers that it has none.
function renderListForm(answer, field) {
  const form = document.createElement("div");
  form.id = "item-form";
  const fields = field.fields || { value: { ...field.item, title: "取值" } };
  for (const [name, itemField] of Object.entries(fields)) {
    const label = document.createElement("label");
    label.className = "item-field";
    label.append(`${itemField.title}${itemField.unit === "yuan" ? "（元）" : ""} `);
    const input = valueInput(itemField, `item-${name}`);
    input.dataset.field = name;
    label.append(input);
    form.append(label);
  }
  const add = document.createElement("button");
  add.type = "button";
  add.id = "add-item";
  add.textContent = "添加一项";
  add.addEventListener("click", () => addItem(field, fields));
  const added = document.createElement("ol");
  added.id = "added-items";
  answer.append(form, add, added);
  $("question-help").textContent += "；逐项填写后点“添加一项”，全部添加后点“确定”；没有的点“没有”";
}

function addItem(field, fields) {
  const item = {};
  for (const input of document.querySelectorAll("#item-form [data-field]")) {
    const text = input.value.trim();
    if (text !== "") item[input.dataset.field] = typed(fields[input.dataset.field], text);
    input.value = "";
  }
  if (Object.keys(item).length === 0) {
    $("problem").textContent = "请至少填写一项内容。";
    return;
  }
  $("problem").textContent = "";
  state.items.push(field.fields ? item : item.value);
  const entry = document.createElement("li");
  entry.className = "added-item";
  entry.textContent = field.fields ? Object.entries(item).map(([name, value]) => {
    const f = fields[name];
    const shown = f.kind === "enum" ? f.labels[value] || value
      : f.kind === "boolean" ? (value ? "是" : "否") : value;
    return `${f.title}：${shown}`;
  }).join("；") : String(item.value);
  $("added-items").append(entry);
}

function answerValue(field) {
  if (field.kind === "boolean") return state.choice;
  if (field.kind === "list") return state.items.length ? [...state.items] : null;
  const text = $("answer-input").value.trim();
  return text === "" ? null : typed(field, text);
}

function yuan(text) {
  const value = Number(text);
  if (value >= 10000 && Number.isInteger(value / 100)) {
    return `${(value / 10000).toLocaleString("zh-CN", { maximumFractionDigits: 4 })}万元`;
  }
  return `${value.toLocaleString("zh-CN", { minimumFractionDigits: 2 })}元`;
}

function amountText(amount) {
  if (amount.status === "none") return "";
  if (amount.status === "unspecified") return "金额未明确（政策文件未规定具体金额）";
  if (amount.status === "unknown") return "金额待定（缺少信息）";
  if (amount.unit === "deadline") return `${amount.value}前`;
  if (amount.unit === "period_end") return `至${amount.value}`;
  if (amount.unit === "price_floor_per_m2") return `${amount.value} 元/平方米`;
  return amount.unit === "cash" ? yuan(amount.value) : `${yuan(amount.value)}（${UNITS[amount.unit]}）`;
}

function renderResults(view) {
  const list = $("entitlements");
  list.replaceChildren();
  const order = { cash: 0, saving: 1, recommendation: 2 };
  const results = [...view.results].sort((a, b) =>
    (order[a.amount.unit] ?? 3) - (order[b.amount.unit] ?? 3));
  for (const result of results) {
    const rule = view.rules[result.rule_id];
    const measure = view.measures[String(rule.citation.measure)];
    const item = document.createElement("li");
    item.className = "entitlement";
    item.dataset.ruleId = result.rule_id;
    item.dataset.unit = result.amount.unit;
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = rule.title + (result.item ? `（${result.item.label || result.item.index + 1}）` : "");
    const amount = document.createElement("div");
    amount.className = "amount";
    const payers = result.amount.payer.map((p) => PAYERS[p] || p).join("、");
    amount.textContent = [amountText(result.amount), payers ? `兑付：${payers}` : ""]
      .filter(Boolean).join("　");
    const cite = document.createElement("div");
    cite.className = "cite";
    cite.textContent = `第${rule.citation.measure}条 ${measure.heading}；牵头部门：${measure.lead_departments.join("、")}`;
    item.append(title, amount, cite);
    for (const quote of rule.citation.quotes) {
      const block = document.createElement("blockquote");
      block.textContent = quote;
      item.append(block);
    }
    list.append(item);
  }
  $("match-count").textContent = String(view.results.length);
  const cash = view.totals.reduce((sum, t) => sum + Number(t.amount), 0);
  $("cash-total").textContent = cash > 0 ? `已确定的资金支持合计：${yuan(String(cash))}` : "";
  const p = view.provenance;
  $("provenance").textContent =
    `规则库 ${p.rulebook_id}（sha256 ${p.rulebook_sha256.slice(0, 16)}），引擎 ${p.engine_version}，基准日 ${p.as_of}`;
}

async function refresh() {
  const view = await call("/evaluate", { profile: state.profile, as_of: asOf(),
    options: { statuses: ["eligible"], citations: "ref", traces: false } });
  renderResults(view);
  const gaps = await call("/gaps", { profile: state.profile, as_of: asOf() });
  renderQuestion(nextQuestion(gaps.questions));
}

async function submit(skip, none = false) {
  const question = state.current;
  if (!question) return;
  const field = state.fields[question.fact];
  const value = none ? [] : skip ? null : answerValue(field);
  if (value === null) {
    if (!skip) {
      $("problem").textContent = field.kind === "list"
        ? "请先添加一项，或选择“没有”“不清楚，跳过”。" : "请先作答，或选择“不清楚，跳过”。";
      return;
    }
    state.skipped.add(question.fact);
  } else {
    state.profile[question.fact] = value;
  }
  try {
    await refresh();
  } catch (error) {
    delete state.profile[question.fact];
    $("problem").textContent = error.message;
  }
}

async function downloadNotice() {
  const html = await call("/notice", { profile: state.profile, as_of: asOf() });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([html], { type: "text/html;charset=utf-8" }));
  link.download = "惠企政策告知书.html";
  link.id = "notice-link";
  document.body.append(link);
  link.click();
}

async function start() {
  const given = new URLSearchParams(window.location.search).get("as_of");
  $("as-of").value = given || new Date().toISOString().slice(0, 10);
  const openapi = await (await fetch("/openapi.json")).json();
  state.fields = profileFields(openapi);
  $("submit-answer").addEventListener("click", () => submit(false));
  $("skip").addEventListener("click", () => submit(true));
  $("answer-none").addEventListener("click", () => submit(false, true));
  $("download-notice").addEventListener("click", downloadNotice);
  $("as-of").addEventListener("change", () => refresh().catch((e) => {
    $("problem").textContent = e.message;
  }));
  document.body.dataset.ready = "true";
  await refresh();
}

start().catch((error) => { $("problem").textContent = error.message; });
