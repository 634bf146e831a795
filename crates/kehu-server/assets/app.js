// Live duplicate check on the new-customer form: after the name, phone, credit code, city or
// contact changes, ask the server who may already have this customer (same mobile, or a
// similar company name in the same city…) and show the answer above the Save button.
(function () {
  var form = document.getElementById("new-customer");
  var box = document.getElementById("duplicates");
  if (!form || !box) return;
  var fields = ["name", "phone", "credit_code", "city", "contact_name", "contact_phone"];
  var timer = null;
  var last = null;
  function check() {
    var params = new URLSearchParams();
    fields.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.value.trim()) params.set(name, input.value.trim());
    });
    var query = params.toString();
    if (query === last) return;
    last = query;
    if (!query) { box.innerHTML = ""; return; }
    fetch("/customers/check?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (query === last) box.innerHTML = html; })
      .catch(function () { /* the server check on Save still applies */ });
  }
  fields.forEach(function (name) {
    var input = form.elements[name];
    if (!input) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
  });
})();

// Response-window countdowns (黄金响应窗口) on the lead pages: the server renders the time
// left; this keeps it current. Texts come from the page (data-left / data-over, with
// {minutes}), so no UI text lives here.
(function () {
  var clocks = document.querySelectorAll(".countdown[data-due]");
  if (!clocks.length) return;
  function tick() {
    var now = Date.now();
    clocks.forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var over = left < 0;
      var minutes = over ? Math.floor(-left / 60000) : Math.ceil(left / 60000);
      el.textContent = (over ? el.dataset.over : el.dataset.left).replace("{minutes}", minutes);
      el.classList.toggle("breached", over);
    });
  }
  tick();
  setInterval(tick, 15000);
  // A tab brought back to the front shows the right time at once, not up to 15 s later.
  document.addEventListener("visibilitychange", tick);
})();
