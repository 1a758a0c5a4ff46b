// A filter select marked data-autosubmit submits its form when changed. A listener in a file,
// not an onchange attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
