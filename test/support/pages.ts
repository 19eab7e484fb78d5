/** A browser's plain requests to the HTML pages, without following redirects. */

/** Posts a form (fields, or an already encoded body) as a browser does. */
export async function postForm(base: string, path: string, fields: Array<[string, string]> | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), type: res.headers.get('content-type') };
}

export async function getPage(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { redirect: 'manual', headers });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), type: res.headers.get('content-type') };
}
