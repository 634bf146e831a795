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
