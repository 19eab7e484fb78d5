/**
 * The register receipt (justificant de registre) as a PDF, in the citizen's
 * language: the town hall (name, DIR3), the register number with its date and
 * time (tenant zone), the procedure, the applicant (name, ID number, contact),
 * the form data, the documents (name, type, size, SHA-256), the authorised
 * official and the act that empowers them, and the secure verification code
 * (CSV) with a QR code to the public verification page. A receipt sealed with
 * the demo seal says, on every page, that it has no legal validity.
 *
 * Text is set in DejaVu Sans (embedded, subset) rather than the standard
 * Helvetica of the reports: names and ID data must print exactly as given,
 * whatever their script. The seal (PAdES) is added afterwards by the sealer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type QRCodeModule from 'qrcode';
import type { Language } from '../../../shared/domain.js';
import { formatDateTime } from '../../i18n/format.js';
import { translator, type T } from '../../i18n/i18n.js';
import type { FormRow } from './receipt-form.js';
import type { ReceiptDocument } from './receipt.repository.js';

export type ReceiptInput = {
  tenant: { name: string; dir3Code: string; timeZone: string; colour: string; address?: string | null };
  lang: Language;
  registerCode: string;
  registeredAt: Date;
  procedure: { code: string; name: string };
  citizen: { name: string | null; idKind: 'dni' | 'nie' | 'cif'; idNumber: string | null; email: string | null; phone: string | null };
  form: FormRow[];
  documents: ReceiptDocument[];
  official: { name: string; act: string | null };
  /** The code in its printed, grouped form. */
  csv: string;
  /** `${PUBLIC_URL}/{slug}/verify?csv=<code>`, encoded in the QR code and printed under it. */
  verifyUrl: string;
  /** True with the self-signed demo seal: the receipt says it is a test without legal validity. */
  demoSeal: boolean;
  generatedAt: Date;
};

const MARGIN = 50;
const FOOTER = 28;
const INK = '#1a1a1a';
const MUTED = '#555555';
const QR_SIZE = 100;

type Fonts = { regular: PDFKit.Mixins.PDFFontSource; bold: PDFKit.Mixins.PDFFontSource; mono: PDFKit.Mixins.PDFFontSource };
type Libraries = { PDFDocument: typeof import('pdfkit'); QRCode: typeof QRCodeModule; fonts: Fonts };

/**
 * pdfkit, qrcode and the embedded fonts, loaded on the first receipt (a process
 * that never renders one does not hold them: they weigh some 20 MB). The fonts
 * are read from the dejavu-fonts-ttf package and parsed once (parsing them for
 * every receipt cost more than all the rest of the render); each document
 * embeds its own subset. A failed load is tried again on the next receipt.
 */
let libraries: Promise<Libraries> | undefined;
function loadLibraries(): Promise<Libraries> {
  libraries ??= (async () => {
    const [fontkit, pdfkit, qrcode] = await Promise.all([import('fontkit'), import('pdfkit'), import('qrcode')]);
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    const load = (f: string) => fontkit.create(readFileSync(path.join(dir, f))) as unknown as PDFKit.Mixins.PDFFontSource;
    const fonts = { regular: load('DejaVuSans.ttf'), bold: load('DejaVuSans-Bold.ttf'), mono: load('DejaVuSansMono.ttf') };
    return { PDFDocument: pdfkit.default, QRCode: qrcode.default, fonts };
  })().catch((e: unknown) => {
    libraries = undefined;
    throw e;
  });
  return libraries;
}

/** Text safe to print: NFC, no control characters (line breaks kept), bounded. */
function clean(s: string, max = 4000): string {
  return s.normalize('NFC').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ').slice(0, max);
}

/** "1,2 MB" in the language. */
export function formatBytes(bytes: number, lang: Language): string {
  const units = [
    ['byte', 1],
    ['kilobyte', 1024],
    ['megabyte', 1024 ** 2],
    ['gigabyte', 1024 ** 3],
  ] as const;
  let [unit, size] = units[0] as readonly [string, number];
  for (const u of units) if (bytes >= u[1]) [unit, size] = u;
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: size === 1 ? 0 : 1 }).format(bytes / size);
}

/** Renders the receipt; resolves with the PDF's bytes (not sealed yet). */
export async function renderReceipt(input: ReceiptInput): Promise<Buffer> {
  const { PDFDocument, QRCode, fonts } = await loadLibraries();
  const t = translator(input.lang);
  const title = t('receipt.title');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: input.lang,
    displayTitle: true,
    info: {
      Title: clean(`${title} ${input.registerCode}`, 200),
      Author: clean(input.tenant.name, 200),
      Subject: clean(`${input.procedure.name} · ${input.registerCode}`, 200),
      Creator: 'Finestreta',
      CreationDate: input.generatedAt,
    },
  });
  doc.registerFont('body', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('mono', fonts.mono);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new ReceiptWriter(doc, input, t, QRCode).write(title);
  doc.end();
  return done;
}

class ReceiptWriter {
  private readonly width: number;
  private readonly colour: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly input: ReceiptInput,
    private readonly t: T,
    private readonly qrCode: typeof QRCodeModule,
  ) {
    this.width = doc.page.width - 2 * MARGIN;
    this.colour = /^#[0-9a-f]{6}$/i.test(input.tenant.colour) ? input.tenant.colour : '#0b5394';
  }

  write(title: string) {
    this.header(title);
    this.register();
    this.verification();
    this.citizen();
    this.form();
    this.documents();
    this.official();
    this.footers();
  }

  private get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private text(s: string, o: { size?: number; font?: 'body' | 'bold' | 'mono'; colour?: string; gap?: number; x?: number; width?: number } = {}) {
    const { doc } = this;
    doc.font(o.font ?? 'body').fontSize(o.size ?? 10).fillColor(o.colour ?? INK);
    doc.text(clean(s), o.x ?? MARGIN, doc.y, { width: o.width ?? this.width });
    doc.y += o.gap ?? 0;
  }

  /** Starts a new page when fewer than `room` points are left. */
  private ensure(room: number) {
    if (this.doc.y + room > this.bottom) this.doc.addPage();
  }

  private heading(s: string) {
    this.ensure(60);
    this.doc.y += 8;
    this.text(s, { size: 12, font: 'bold', colour: this.colour, gap: 2 });
    const y = this.doc.y;
    this.doc.save().moveTo(MARGIN, y).lineTo(MARGIN + this.width, y).lineWidth(0.5).strokeColor('#cccccc').stroke().restore();
    this.doc.y = y + 4;
  }

  /** A label and its value side by side (the value wraps in its column). */
  private field(label: string, value: string) {
    const { doc } = this;
    const labelWidth = this.width * 0.34;
    const valueWidth = this.width - labelWidth - 8;
    doc.font('body').fontSize(9.5);
    const h = Math.max(doc.heightOfString(clean(label), { width: labelWidth }), doc.font('bold').heightOfString(clean(value) || ' ', { width: valueWidth }));
    this.ensure(h + 4);
    const y = doc.y;
    doc.font('body').fontSize(9.5).fillColor(MUTED).text(clean(label), MARGIN, y, { width: labelWidth });
    doc.font('bold').fontSize(9.5).fillColor(INK).text(clean(value) || ' ', MARGIN + labelWidth + 8, y, { width: valueWidth });
    doc.y = y + h + 4;
  }

  private demoNotice() {
    const { doc, t } = this;
    const y = doc.y;
    doc.font('bold').fontSize(10);
    const text = t('receipt.demo_seal');
    const h = doc.heightOfString(text, { width: this.width - 16 }) + 12;
    doc.save().rect(MARGIN, y, this.width, h).fill('#fde8e8').restore();
    doc.save().rect(MARGIN, y, 4, h).fill('#b3261e').restore();
    doc.fillColor('#8c1d18').text(text, MARGIN + 12, y + 6, { width: this.width - 16 });
    doc.y = y + h + 8;
  }

  private header(title: string) {
    const { doc, input, t } = this;
    doc.save().rect(MARGIN, MARGIN, this.width, 4).fill(this.colour).restore();
    doc.y = MARGIN + 14;
    this.text(input.tenant.name, { size: 17, font: 'bold', gap: 1 });
    this.text(t('receipt.dir3', { code: input.tenant.dir3Code }), { size: 9, colour: MUTED, gap: 8 });
    this.text(title, { size: 15, font: 'bold', colour: this.colour, gap: 6 });
    if (input.demoSeal) this.demoNotice();
  }

  private register() {
    const { input, t } = this;
    this.heading(t('receipt.section.register'));
    this.field(t('receipt.register_number'), input.registerCode);
    this.field(t('receipt.registered_at'), formatDateTime(input.registeredAt, input.tenant.timeZone, input.lang));
    this.field(t('receipt.procedure'), `${input.procedure.name} (${input.procedure.code})`);
    this.field(t('receipt.office'), `${input.tenant.name} · ${input.tenant.dir3Code}`);
  }

  private citizen() {
    const { input, t } = this;
    const c = input.citizen;
    this.heading(t('receipt.section.citizen'));
    this.field(t('receipt.citizen_name'), c.name ?? '–');
    this.field(t('receipt.id_number'), c.idNumber ? `${t(`receipt.id_kind.${c.idKind}`)} ${c.idNumber}` : '–');
    if (c.email) this.field(t('receipt.contact_email'), c.email);
    if (c.phone) this.field(t('receipt.contact_phone'), c.phone);
  }

  private form() {
    const { input, t } = this;
    this.heading(t('receipt.section.form'));
    if (!input.form.length) {
      this.text(t('receipt.form_empty'), { size: 9.5, colour: MUTED });
      return;
    }
    for (const row of input.form) this.field(row.label, row.value);
  }

  private documents() {
    const { doc, input, t } = this;
    this.heading(t('receipt.section.documents'));
    if (!input.documents.length) {
      this.text(t('receipt.documents_none'), { size: 9.5, colour: MUTED });
      return;
    }
    input.documents.forEach((d, i) => {
      this.ensure(48);
      this.text(`${i + 1}. ${d.fileName}`, { size: 9.5, font: 'bold', gap: 1 });
      const origin = t(d.kind === 'handout' ? 'receipt.document_handout' : 'receipt.document_citizen');
      this.text(`${origin} · ${d.contentType} · ${formatBytes(d.bytes, input.lang)}`, { size: 8.5, colour: MUTED, gap: 1, x: MARGIN + 12, width: this.width - 12 });
      this.text(`SHA-256: ${d.sha256}`, { size: 7.5, font: 'mono', gap: 5, x: MARGIN + 12, width: this.width - 12 });
    });
    doc.y += 2;
  }

  private official() {
    const { input, t } = this;
    this.heading(t('receipt.section.official'));
    this.field(t('receipt.official_name'), input.official.name);
    this.field(t('receipt.official_act'), input.official.act ?? '–');
    this.text(t('receipt.official_statement'), { size: 8.5, colour: MUTED, gap: 4 });
  }

  private verification() {
    const { doc, input, t } = this;
    // the heading, the code, the QR code and the link stay together
    this.ensure(QR_SIZE + 70);
    this.heading(t('receipt.section.verify'));
    const top = doc.y;
    drawQr(this.qrCode, doc, input.verifyUrl, MARGIN + this.width - QR_SIZE, top, QR_SIZE);
    const textWidth = this.width - QR_SIZE - 16;
    this.text(t('receipt.csv'), { size: 9.5, colour: MUTED, gap: 2, width: textWidth });
    this.text(input.csv, { size: 12, font: 'mono', gap: 8, width: textWidth });
    this.text(t('receipt.sealed_by', { town: input.tenant.name }), { size: 8.5, colour: MUTED, width: textWidth });
    doc.y = Math.max(doc.y, top + QR_SIZE + 4);
    // the link under the QR code, on one line (a line break inside it would be lost when copied)
    this.text(t('receipt.verify_at'), { size: 9, colour: MUTED, gap: 2 });
    const url = clean(input.verifyUrl, 500);
    let size = 8.5;
    doc.font('mono');
    while (size > 5 && doc.fontSize(size).widthOfString(url) > this.width) size -= 0.5;
    doc.fontSize(size).fillColor(this.colour).text(url, MARGIN, doc.y, { width: this.width, lineBreak: doc.widthOfString(url) > this.width });
    doc.y += 4;
  }

  private footers() {
    const { doc, input, t } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const keep = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // text below the margin would otherwise open a new page
      const y = doc.page.height - MARGIN - FOOTER + 10;
      const parts = [input.registerCode, `CSV ${input.csv}`, t('receipt.page', { page: i + 1, pages: range.count })];
      if (input.demoSeal) parts.unshift(t('receipt.demo_short'));
      doc.font('body').fontSize(7.5).fillColor(input.demoSeal ? '#8c1d18' : MUTED);
      doc.text(clean(parts.join(' · ')), MARGIN, y, { width: this.width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = keep;
    }
  }
}

/** The QR code as vector squares (one filled path: no seams between modules), error correction M. */
function drawQr(QRCode: typeof QRCodeModule, doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const cell = size / (n + 2 * quiet);
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell, cell);
    }
  }
  doc.fill('#000000');
  doc.restore();
}
