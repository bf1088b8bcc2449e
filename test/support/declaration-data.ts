// Cargo declarations for statistics tests: the fixture record with generated items, flows, partners and confidentiality flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CargoDeclaration } from '../../src/records/record-types.js';
import { RECORD_FIXTURES } from './project.js';

const FIXTURE = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as CargoDeclaration;

/** What varies in a generated declaration. */
export interface DeclarationShape {
  flow: CargoDeclaration['flow'];
  /** Partner: origin of every item of an import, destination of an export. */
  partner: string;
  day: number;
  flagged?: boolean;
  items: Array<{ code: string; value: string; mass: string; quantity?: { quantity: string; unit: string } }>;
}

/** A valid declaration.cargo record of 2026-10 (day 1..28) with the given shape. */
export function declaration(n: number, shape: DeclarationShape): CargoDeclaration {
  const exported = shape.flow === 'export' || shape.flow === 're-export';
  const day = String(shape.day).padStart(2, '0');
  return {
    ...FIXTURE,
    recordId: `KZ-CD-STAT-${n}`,
    declarationNumber: `55401/${day}1026/${String(n).padStart(7, '0')}`,
    flow: shape.flow,
    procedureCode: exported ? '10' : '40',
    declaredAt: `2026-10-${day}T10:00:00+05:00`,
    countryOfDispatch: exported ? 'KZ' : shape.partner,
    countryOfDestination: exported ? shape.partner : 'KZ',
    ...(shape.flagged ? { confidentialStatistics: true } : {}),
    items: shape.items.map((item, i) => ({
      itemNumber: i + 1,
      commodityCode: item.code,
      description: `goods ${item.code}`,
      originCountry: exported ? 'KZ' : shape.partner,
      netMassKg: item.mass,
      grossMassKg: item.mass,
      statisticalValue: item.value,
      ...(exported ? {} : { customsValue: item.value }),
      ...(item.quantity ? { supplementaryQuantity: item.quantity } : {}),
    })),
    totalStatisticalValueUsd: '0',
  } as CargoDeclaration;
}
