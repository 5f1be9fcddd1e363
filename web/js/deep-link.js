// /zgloszenie and /wizyta: the widget's report or booking view, with the rest
// of the address kept (?lang= above all, so a link in English stays English).
// A classic script in <head>: it runs before anything is drawn. Without
// scripts the page's <noscript> refresh goes to the same view.
(function () {
  var view = document.currentScript.getAttribute('data-view');
  var target = new URL('/widget.html', window.location.href);
  target.searchParams.set('view', view);
  new URLSearchParams(window.location.search).forEach(function (value, key) {
    if (key !== 'view') target.searchParams.append(key, value);
  });
  window.location.replace(target.href);
})();
