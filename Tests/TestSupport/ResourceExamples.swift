/// The worked examples of the contract (api-resources.md §9), shared by the model tests (decoding and encoding)
/// and the server tests (the same documents through the HTTP API).
package enum Examples {
    package static let testYAML = """
        type: Test
        spec:
          id: fH_8AulVR
          name: Pokeshop - List
          description: List Pokemon
          trigger:
            type: http
            httpRequest:
              url: http://demo-api:8081/pokemon?take=20&skip=0
              method: GET
              headers:
              - key: Content-Type
                value: application/json
          specs:
          - name: All HTTP spans return 200
            selector: span[tracetest.span.type="http"]
            assertions:
            - attr:http.status_code = 200
            - attr:tracetest.span.duration < 2s
          outputs:
          - name: POKEMON_ID
            selector: span[name = "POST /pokemon/import"]
            value: attr:http.response.body | json_path '.id'
        """

    package static let augmentedTestJSON = """
        {"type":"Test","spec":{"id":"fH_8AulVR","createdAt":"2024-05-01T12:00:00.123456Z","name":"Pokeshop - List",\
        "description":"List Pokemon","version":1,"trigger":{"type":"http","httpRequest":{"method":"GET",\
        "url":"http://demo-api:8081/pokemon?take=20&skip=0","headers":[{"key":"Content-Type","value":"application/json"}]}},\
        "specs":[{"selector":"span[tracetest.span.type=\\"http\\"]","name":"All HTTP spans return 200",\
        "assertions":["attr:http.status_code = 200","attr:tracetest.span.duration < 2s"]}],\
        "outputs":[{"name":"POKEMON_ID","selector":"span[name = \\"POST /pokemon/import\\"]",\
        "value":"attr:http.response.body | json_path '.id'"}],\
        "summary":{"runs":0,"lastRun":{"time":"0001-01-01T00:00:00Z","passes":0,"fails":0,"analyzerScore":0}}}}
        """

    package static let triggers = [
        #"{"type":"grpc","grpc":{"protobufFile":"syntax = \"proto3\";","address":"demo-api:8082","method":"pokeshop.Pokeshop.importPokemon","request":"{\"id\":52}","metadata":[{"key":"k","value":"v"}],"auth":{"type":"basic","basic":{"username":"u","password":"p"}}}}"#,
        #"{"type":"traceid","traceid":{"id":"${var:TRACE_ID}"}}"#,
        #"{"type":"kafka","kafka":{"brokerUrls":["kafka:9092"],"topic":"pokemon","headers":[],"authetication":{"type":"plain","plain":{"username":"u","password":"p"}},"messageKey":"snorlax-key","messageValue":"{\"id\":144}","sslVerification":true}}"#,
        #"{"type":"graphql","graphql":{"url":"http://api/graphql","headers":[{"key":"a","value":"b"}],"body":{"query":"query { x }","variables":{},"operationName":""},"schema":"type Query {x: Int}"}}"#,
        #"{"type":"playwrightengine","playwrightEngine":{"target":"http://web","script":"export function a() {}","method":"importPokemon"}}"#,
    ]

    package static let suiteJSON =
        #"{"type":"TestSuite","spec":{"id":"Tx1","name":"Purchase flow","description":"...","steps":["create-product","add-to-cart"]}}"#

    package static let otherSpecs = """
        type: VariableSet
        spec: {id: pokeapi-env, name: pokeapi-env, description: "", values: [{key: POKEMON_NAME, value: snorlax}]}
        ---
        type: DataStore
        spec: {id: current, name: Jaeger, type: jaeger, default: true, createdAt: "2024-05-01T12:00:00.123456Z",
               jaeger: {endpoint: "jaeger:16685", tls: {insecure: true}}}
        ---
        type: DataStore
        spec: {name: Tempo, type: tempo, tempo: {type: http, http: {url: "http://tempo:3200", tls: {insecure: true}}}}
        ---
        type: PollingProfile
        spec: {id: current, name: default, default: true, strategy: periodic, periodic: {retryDelay: 5s, timeout: 1m, selectorMatchRetries: 3}}
        ---
        type: Config
        spec: {id: current, name: Config, analyticsEnabled: false}
        ---
        type: Demo
        spec: {id: pokeshop-demo, name: pokeshop, type: pokeshop, enabled: true,
               pokeshop: {httpEndpoint: "http://demo-api:8081", grpcEndpoint: "demo-api:8082", kafkaBroker: "kafka:9092"}}
        ---
        type: Analyzer
        spec:
          id: current
          name: analyzer
          enabled: true
          minimumScore: 80
          plugins:
          - {id: standards, enabled: true, rules: [{id: span-naming, weight: 25, errorLevel: error}, {id: required-attributes, weight: 25, errorLevel: error},
                                                   {id: attribute-naming, weight: 25, errorLevel: warning}, {id: no-empty-attributes, weight: 25, errorLevel: error}]}
          - {id: common, enabled: true, rules: [{id: prefer-dns, weight: 100, errorLevel: error}]}
          - {id: security, enabled: false, rules: [{id: secure-https-protocol, weight: 30, errorLevel: error}, {id: no-api-key-leak, weight: 70, errorLevel: error}]}
        ---
        type: TestRunner
        spec: {id: current, name: default, requiredGates: [test-specs, analyzer-rules]}
        """
}
