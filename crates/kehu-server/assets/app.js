// Live duplicate check on the new-customer form: after the phone or credit code changes,
// ask the server who already has it and show the answer above the Save button.
(function () {
  var form = document.getElementById("new-customer");
  var box = document.getElementById("duplicates");
  if (!form || !box) return;
  var timer = null;
  function check() {
    var params = new URLSearchParams();
    ["phone", "credit_code"].forEach(function (name) {
      var input = form.elements[name];
      if (input && input.value.trim()) params.set(name, input.value.trim());
    });
    if (!params.toString()) { box.innerHTML = ""; return; }
    fetch("/customers/check?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* the server check on Save still applies */ });
  }
  ["phone", "credit_code"].forEach(function (name) {
    var input = form.elements[name];
    if (!input) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
  });
})();
