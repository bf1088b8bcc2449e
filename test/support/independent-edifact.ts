// An interchange as the npm `edifact` package reads it (its syntax parser only: its own directory tables are not the D.96B ones): the independent oracle for our EDIFACT.
import { Parser, Validator } from 'edifact';

/** One segment as the package read it. */
export interface ReadSegment {
  name: string;
  elements: string[][];
}

/** Every segment of the interchange text, UNA left out, as the package's parser reports them. */
export function readWithEdifactPackage(text: string, syntax = 'UNOC'): ReadSegment[] {
  const validator = new Validator();
  validator.disable();
  const parser = new Parser(validator);
  parser.encoding(syntax);
  const segments: ReadSegment[] = [];
  let elements: string[][] = [];
  let components: string[] = [];
  parser.onopensegment = (name) => void segments.push({ name, elements: (elements = []) });
  parser.onelement = () => void elements.push((components = []));
  parser.oncomponent = (value) => void components.push(value);
  parser.write(text);
  parser.end();
  return segments;
}
