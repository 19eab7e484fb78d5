/**
 * The demo town hall created on an empty database: real procedures (the
 * generic request with a request form for the formal procedure), office hours
 * Monday–Friday 08–20, Catalan holidays, agents with schedules, one of them
 * (agent1) an authorised official. Staff get one random password, printed
 * once and kept in DATA_DIR/demo-credentials.txt.
 */
import { randomBytes } from 'node:crypto';
import type { Channel, LocalizedText } from '../../shared/domain.js';
import { saveProcedure } from '../modules/catalogue/save-procedure.js';
import type { RequestSchema } from '../modules/filing/request-schema.js';
import { grantOfficial } from '../modules/officials/officials.js';
import { createStaff } from '../modules/staff/create-staff.js';
import { createTenant } from '../modules/tenants/create-tenant.js';
import type { Tenant } from '../modules/tenants/tenants.repository.js';
import type { Db } from './client.js';
import { departments } from './schema.js';

type DemoProcedure = {
  code: string;
  name: LocalizedText;
  help: LocalizedText;
  dept: 'oac' | 'urb' | 'hisenda' | 'serveis';
  channels: Channel[];
  duration: number;
  documents: LocalizedText[];
  /** The request form an authorised official files in a formal attention (modules/filing). */
  requestSchema?: RequestSchema;
};

/** The generic request (instància genèrica): one of each kind of field the request forms offer. */
export const GENERIC_REQUEST_SCHEMA: RequestSchema = {
  type: 'object',
  properties: {
    subject: { type: 'string', title: 'Assumpte', 'x-title': { ca: 'Assumpte', es: 'Asunto', en: 'Subject' }, maxLength: 200 },
    description: {
      type: 'string',
      multiline: true,
      title: 'Exposició i sol·licitud',
      'x-title': { ca: 'Exposició i sol·licitud', es: 'Exposición y solicitud', en: 'Statement and request' },
      'x-description': { ca: 'Què passa i què demaneu a l\'Ajuntament.', es: 'Qué ocurre y qué pide al Ayuntamiento.', en: 'What happened and what you ask the town hall for.' },
      maxLength: 2000,
    },
    amount: { type: 'number', title: 'Import (€)', 'x-title': { ca: 'Import, si escau (€)', es: 'Importe, si procede (€)', en: 'Amount, if any (€)' }, minimum: 0, maximum: 1000000 },
    eventDate: { type: 'string', format: 'date', title: 'Data dels fets', 'x-title': { ca: 'Data dels fets', es: 'Fecha de los hechos', en: 'Date of the facts' } },
    notifyByEmail: {
      type: 'boolean',
      title: 'Notificacions per correu electrònic',
      'x-title': { ca: 'Voleu rebre els avisos de notificació per correu electrònic?', es: '¿Quiere recibir los avisos de notificación por correo electrónico?', en: 'Do you want notification alerts by email?' },
    },
    applicantRole: {
      type: 'string',
      title: 'Actueu',
      'x-title': { ca: 'Actueu', es: 'Actúa', en: 'You act' },
      enum: ['self', 'representative'],
      'x-enum-titles': { ca: ['En nom propi', 'Com a representant'], es: ['En nombre propio', 'Como representante'], en: ['On your own behalf', 'As a representative'] },
    },
  },
  required: ['subject', 'description', 'applicantRole'],
};

const ID_DOC: LocalizedText = { ca: 'DNI, NIE o passaport vigent', es: 'DNI, NIE o pasaporte vigente', en: 'Valid ID card, NIE or passport' };

export const DEMO_PROCEDURES: DemoProcedure[] = [
  {
    code: 'certificat-empadronament',
    name: { ca: "Certificat d'empadronament", es: 'Certificado de empadronamiento', en: 'Certificate of registration (padró)' },
    help: {
      ca: "Document que acredita on i des de quan viviu al municipi. L'enviem per correu electrònic un cop verificada la identitat.",
      es: 'Documento que acredita dónde y desde cuándo vive en el municipio. Lo enviamos por correo electrónico una vez verificada la identidad.',
      en: 'Proves where and since when you live in the town. We email it once your identity is verified.',
    },
    dept: 'oac',
    channels: ['video', 'phone', 'callback'],
    duration: 15,
    documents: [ID_DOC],
  },
  {
    code: 'alta-padro',
    name: { ca: 'Alta al padró municipal', es: 'Alta en el padrón municipal', en: 'Registering in the municipal register (padró)' },
    help: {
      ca: "Per inscriure-us al padró quan arribeu a viure al municipi. Cal acreditar el domicili.",
      es: 'Para inscribirse en el padrón cuando llega a vivir al municipio. Hay que acreditar el domicilio.',
      en: 'To register when you come to live in the town. You need to prove your address.',
    },
    dept: 'oac',
    channels: ['video', 'in_person'],
    duration: 30,
    documents: [
      ID_DOC,
      { ca: "Contracte de lloguer o escriptura de l'habitatge", es: 'Contrato de alquiler o escritura de la vivienda', en: 'Rental contract or title deed of the home' },
      { ca: 'Llibre de família, si hi ha menors', es: 'Libro de familia, si hay menores', en: 'Family book, if there are minors' },
    ],
  },
  {
    code: 'ajuts-subvencions',
    name: { ca: 'Sol·licitud d\'ajuts i subvencions', es: 'Solicitud de ayudas y subvenciones', en: 'Applying for grants and subsidies' },
    help: {
      ca: "Us acompanyem a presentar la sol·licitud electrònica d'una convocatòria oberta.",
      es: 'Le acompañamos a presentar la solicitud electrónica de una convocatoria abierta.',
      en: 'We help you file the online application of an open call.',
    },
    dept: 'serveis',
    channels: ['video', 'phone', 'callback'],
    duration: 45,
    documents: [
      ID_DOC,
      { ca: 'Dades bancàries (IBAN)', es: 'Datos bancarios (IBAN)', en: 'Bank details (IBAN)' },
      { ca: 'Documentació que demani la convocatòria', es: 'Documentación que pida la convocatoria', en: 'Documents the call asks for' },
    ],
  },
  {
    code: 'llicencia-obres-menors',
    name: { ca: "Llicència d'obres menors", es: 'Licencia de obras menores', en: 'Minor works permit' },
    help: {
      ca: "Comunicació o llicència per a reformes petites a l'habitatge o al local.",
      es: 'Comunicación o licencia para reformas pequeñas en la vivienda o el local.',
      en: 'Notice or permit for small refurbishments of a home or premises.',
    },
    dept: 'urb',
    channels: ['video', 'phone'],
    duration: 30,
    documents: [
      ID_DOC,
      { ca: "Pressupost de l'obra", es: 'Presupuesto de la obra', en: 'Budget of the works' },
      { ca: "Plànol o croquis de l'actuació", es: 'Plano o croquis de la actuación', en: 'Plan or sketch of the works' },
    ],
  },
  {
    code: 'idcat-certificat-digital',
    name: { ca: "Ajuda amb el certificat digital idCAT", es: 'Ayuda con el certificado digital idCAT', en: 'Help with the idCAT digital certificate' },
    help: {
      ca: "Us ajudem a obtenir, instal·lar o fer servir l'idCAT Certificat o l'idCAT Mòbil.",
      es: 'Le ayudamos a obtener, instalar o usar el idCAT Certificado o el idCAT Móvil.',
      en: 'We help you get, install or use idCAT Certificate or idCAT Mobile.',
    },
    dept: 'oac',
    channels: ['video', 'phone', 'callback', 'in_person'],
    duration: 30,
    documents: [ID_DOC, { ca: 'Telèfon mòbil a mà', es: 'Teléfono móvil a mano', en: 'Your mobile phone at hand' }],
  },
  {
    code: 'bonificacio-ibi',
    name: { ca: "Bonificació de l'IBI", es: 'Bonificación del IBI', en: 'Property tax (IBI) rebate' },
    help: {
      ca: "Per a famílies nombroses, monoparentals o habitatges amb energia solar.",
      es: 'Para familias numerosas, monoparentales o viviendas con energía solar.',
      en: 'For large or single-parent families, or homes with solar power.',
    },
    dept: 'hisenda',
    channels: ['video', 'phone', 'callback'],
    duration: 20,
    documents: [
      ID_DOC,
      { ca: 'Títol de família nombrosa o monoparental', es: 'Título de familia numerosa o monoparental', en: 'Large or single-parent family card' },
      { ca: "Rebut de l'IBI", es: 'Recibo del IBI', en: 'Property tax bill' },
    ],
  },
  {
    code: 'targeta-aparcament',
    name: { ca: "Targeta d'aparcament per a persones amb discapacitat", es: 'Tarjeta de aparcamiento para personas con discapacidad', en: 'Disabled parking card' },
    help: {
      ca: 'Sol·licitud o renovació de la targeta d\'aparcament individual.',
      es: 'Solicitud o renovación de la tarjeta de aparcamiento individual.',
      en: 'Applying for or renewing the individual parking card.',
    },
    dept: 'serveis',
    channels: ['video', 'phone', 'in_person'],
    duration: 30,
    documents: [
      ID_DOC,
      { ca: 'Resolució del grau de discapacitat', es: 'Resolución del grado de discapacidad', en: 'Disability assessment decision' },
      { ca: 'Fotografia de carnet', es: 'Fotografía de carnet', en: 'Passport-size photo' },
    ],
  },
  {
    code: 'queixes-suggeriments',
    name: { ca: 'Queixes i suggeriments', es: 'Quejas y sugerencias', en: 'Complaints and suggestions' },
    help: {
      ca: "Presenteu una queixa, un suggeriment o un agraïment a l'Ajuntament.",
      es: 'Presentad una queja, una sugerencia o un agradecimiento al Ayuntamiento.',
      en: 'File a complaint, a suggestion or a thank-you to the town hall.',
    },
    dept: 'oac',
    channels: ['video', 'phone', 'callback'],
    duration: 15,
    documents: [],
  },
  {
    code: 'instancia-generica',
    name: { ca: 'Instància genèrica', es: 'Instancia genérica', en: 'General request' },
    help: {
      ca: "Per presentar a l'Ajuntament qualsevol sol·licitud que no tingui un tràmit propi. Un funcionari habilitat la registra en nom vostre durant la videotrucada i rebeu el justificant a l'instant.",
      es: 'Para presentar al Ayuntamiento cualquier solicitud que no tenga un trámite propio. Un funcionario habilitado la registra en su nombre durante la videollamada y recibe el justificante al instante.',
      en: 'To file with the town hall any request that has no procedure of its own. An authorised official registers it on your behalf during the video call and you get the receipt at once.',
    },
    dept: 'oac',
    channels: ['video'],
    duration: 20,
    documents: [
      ID_DOC,
      { ca: 'Documents que acreditin el que exposeu, si en teniu', es: 'Documentos que acrediten lo que expone, si los tiene', en: 'Documents that support your statement, if you have any' },
    ],
    requestSchema: GENERIC_REQUEST_SCHEMA,
  },
];

/** The demo's authorised official (funcionari habilitat): the agent the call tests sign in as. */
export const DEMO_OFFICIAL_EMAIL_PREFIX = 'agent1';

const HOLIDAYS: Array<[string, LocalizedText]> = [
  ['2026-12-08', { ca: 'La Immaculada', es: 'La Inmaculada', en: 'Immaculate Conception' }],
  ['2026-12-25', { ca: 'Nadal', es: 'Navidad', en: 'Christmas Day' }],
  ['2026-12-26', { ca: 'Sant Esteve', es: 'San Esteban', en: "St Stephen's Day" }],
  ['2027-01-01', { ca: "Cap d'Any", es: 'Año Nuevo', en: "New Year's Day" }],
  ['2027-01-06', { ca: 'Reis', es: 'Reyes', en: 'Epiphany' }],
  ['2027-03-26', { ca: 'Divendres Sant', es: 'Viernes Santo', en: 'Good Friday' }],
  ['2027-03-29', { ca: 'Dilluns de Pasqua', es: 'Lunes de Pascua', en: 'Easter Monday' }],
  ['2027-05-01', { ca: 'Festa del Treball', es: 'Fiesta del Trabajo', en: 'Labour Day' }],
  ['2027-06-24', { ca: 'Sant Joan', es: 'San Juan', en: 'Midsummer (St John)' }],
  ['2027-09-11', { ca: 'Diada Nacional de Catalunya', es: 'Diada Nacional de Cataluña', en: 'National Day of Catalonia' }],
];

const WEEK = [1, 2, 3, 4, 5];
const shift = (startsAt: string, endsAt: string) => WEEK.map((weekday) => ({ weekday, startsAt, endsAt }));

export type DemoSeed = { tenant: Tenant; password: string; accounts: Array<{ email: string; role: string }> };

export async function seedDemo(db: Db, opts: { slug?: string; password?: string } = {}): Promise<DemoSeed> {
  const password = opts.password ?? randomBytes(9).toString('base64url');
  const slug = opts.slug ?? 'demo';
  const tenant = await createTenant({
    db,
    input: {
      slug,
      name: 'Ajuntament de Vilademo',
      dir3Code: 'L01089997',
      languages: ['ca', 'es', 'en'],
      defaultLanguage: 'ca',
      contactEmail: 'oac@vilademo.example',
      contactPhone: '+34 900 000 000',
      address: 'Plaça de la Vila, 1, 08999 Vilademo',
      holidays: HOLIDAYS.map(([day, name]) => ({ day, name })),
    },
  });
  const deptNames: Record<DemoProcedure['dept'], LocalizedText> = {
    oac: { ca: "Oficina d'Atenció Ciutadana", es: 'Oficina de Atención Ciudadana', en: 'Citizen Service Office' },
    urb: { ca: 'Urbanisme', es: 'Urbanismo', en: 'Planning' },
    hisenda: { ca: 'Hisenda', es: 'Hacienda', en: 'Finance' },
    serveis: { ca: 'Serveis Socials', es: 'Servicios Sociales', en: 'Social Services' },
  };
  const deptIds = {} as Record<DemoProcedure['dept'], string>;
  for (const [key, name] of Object.entries(deptNames)) {
    const [row] = await db.insert(departments).values({ tenantId: tenant.id, name }).returning();
    deptIds[key as DemoProcedure['dept']] = row.id;
  }
  for (const [i, p] of DEMO_PROCEDURES.entries()) {
    await saveProcedure({
      db,
      tenant,
      input: {
        code: p.code,
        name: p.name,
        help: p.help,
        departmentId: deptIds[p.dept],
        channels: p.channels,
        durationMinutes: p.duration,
        bufferMinutes: 5,
        minNoticeMinutes: 60,
        horizonDays: 30,
        documents: p.documents.map((description) => ({ description })),
        position: i,
        requestSchema: p.requestSchema ?? null,
      },
    });
  }
  const all: Channel[] = ['video', 'phone', 'callback', 'in_person'];
  const people = [
    { email: `admin@${slug}.example`, fullName: 'Admin Demo', role: 'admin' as const, channels: [] as Channel[], schedule: [] },
    { email: `supervisor@${slug}.example`, fullName: 'Montse Puig', role: 'supervisor' as const, channels: [] as Channel[], schedule: [] },
    { email: `agent1@${slug}.example`, fullName: 'Laia Soler', role: 'agent' as const, channels: all, schedule: shift('08:00', '14:00') },
    { email: `agent2@${slug}.example`, fullName: 'Jordi Vidal', role: 'agent' as const, channels: all, schedule: shift('08:00', '15:00') },
    { email: `agent3@${slug}.example`, fullName: 'Fatima El Idrissi', role: 'agent' as const, channels: all, schedule: shift('13:00', '20:00') },
    { email: `agent4@${slug}.example`, fullName: 'Pau Ferrer', role: 'agent' as const, channels: ['video', 'phone', 'callback'] as Channel[], schedule: shift('14:00', '20:00') },
  ];
  const staffIds = new Map<string, string>();
  for (const p of people) staffIds.set(p.email, (await createStaff({ db, tenantId: tenant.id, password, ...p })).id);
  await grantOfficial({
    db,
    tenantId: tenant.id,
    input: { staffId: staffIds.get(`${DEMO_OFFICIAL_EMAIL_PREFIX}@${slug}.example`), appointmentAct: "Decret d'Alcaldia 1/2025", validFrom: '2025-01-01' },
  });
  return { tenant, password, accounts: people.map((p) => ({ email: p.email, role: p.role })) };
}
