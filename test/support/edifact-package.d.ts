// Types for the parts of the npm `edifact` package (an independent EDIFACT parser, used in tests only) the tests call.
declare module 'edifact' {
  /** Checks segments against the package's own directory tables; the tests turn it off to read the syntax only. */
  export class Validator {
    disable(): void;
  }
  /** A streaming parser of the EDIFACT syntax (UNA, separators, release character), calling back per segment, element and component. */
  export class Parser {
    constructor(validator?: Validator);
    encoding(level: string): void;
    onopensegment: (name: string) => void;
    onelement: () => void;
    oncomponent: (value: string) => void;
    write(chunk: string): void;
    end(): void;
  }
}
