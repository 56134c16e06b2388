/**
 * A secret a request presents in `Authorization`: `Bearer <secret>`, or HTTP Basic with the secret
 * as the password (the user part is ignored: the secret alone says who the caller is), for clients
 * that only do Basic.
 */
export interface PresentedCredential {
  scheme: 'bearer' | 'basic';
  secret: string;
}

/** Reads the Authorization header; undefined when there is none or it is not Bearer or Basic. */
export function presentedCredential(header: string | string[] | undefined): PresentedCredential | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  if (bearer) return { scheme: 'bearer', secret: bearer[1]! };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (secret) return { scheme: 'basic', secret };
  }
  return undefined;
}
