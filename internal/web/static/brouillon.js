// Keeps the avis being typed as a draft on the server (POST /dossiers/{id}/brouillon),
// a few seconds after the last keystroke, so that it survives the end of the
// session. Without this script the button "Enregistrer le brouillon" does the same.
(function () {
  var form = document.querySelector('form[action$="/avis"]');
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute('action').replace(/\/avis$/, '/brouillon');
  var status = document.getElementById('etat-brouillon');
  var timer = null;
  function save() {
    timer = null;
    fetch(url, { method: 'POST', body: new URLSearchParams(new FormData(form)), headers: { 'X-Brouillon': 'auto' }, credentials: 'same-origin', redirect: 'manual' })
      .then(function (r) {
        if (status) {
          status.textContent = r.status === 204 ? 'Brouillon enregistré à ' + new Date().toLocaleTimeString('fr-FR') + '.' : 'Brouillon non enregistré : la session a peut-être expiré ; reconnectez-vous, le dernier brouillon enregistré vous attendra.';
        }
      })
      .catch(function () { if (status) { status.textContent = 'Brouillon non enregistré (réseau).'; } });
  }
  form.addEventListener('input', function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  });
}());
