// Swagger UI (from the installed swagger-ui-dist, no CDN) on the service's OpenAPI document.
const target = document.getElementById('swagger');
const res = await fetch('/_lift/openapi.json');
if (res.ok) {
  globalThis.SwaggerUIBundle({ url: '/_lift/openapi.json', domNode: target, tryItOutEnabled: true });
} else {
  const { message } = await res.json();
  const p = document.createElement('p');
  p.textContent = message;
  p.style.font = '14px system-ui, sans-serif';
  target.append(p);
}
