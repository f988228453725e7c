import Hummingbird
import NIOCore
import TracetestModel

/// `GET /api/openapi.yaml`: an OpenAPI 3 description of this server's API (routes, parameters, request shapes; bodies
/// are described loosely where they are open-ended), the document the probe suite (`testing/probe`) fuzzes from.
enum OpenAPIDocument {
    static func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    static let text = #"""
        openapi: 3.0.3
        info:
          title: Tracetest server API
          description: >-
            The HTTP API of this Tracetest server: resources (tests, suites, variable sets and the singletons), runs, run
            tools and expressions. Bodies are JSON (or YAML with Content-Type text/yaml); resources travel as {type, spec}.
          version: "\#(TracetestVersion.current)"
        servers:
          - url: /api
        paths:
          /tests:
            get: {operationId: listTests, tags: [tests], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}, {$ref: "#/components/parameters/query"}, {$ref: "#/components/parameters/sortBy"}, {$ref: "#/components/parameters/sortDirection"}], responses: {"200": {$ref: "#/components/responses/List"}, "400": {$ref: "#/components/responses/Error"}}}
            post: {operationId: createTest, tags: [tests], requestBody: {$ref: "#/components/requestBodies/Test"}, responses: {"201": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
            put: {operationId: upsertTest, tags: [tests], requestBody: {$ref: "#/components/requestBodies/Test"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "201": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /tests/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getTest, tags: [tests], responses: {"200": {$ref: "#/components/responses/Resource"}, "404": {$ref: "#/components/responses/NotFound"}}}
            put: {operationId: updateTest, tags: [tests], requestBody: {$ref: "#/components/requestBodies/Test"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}, "404": {$ref: "#/components/responses/NotFound"}}}
            delete: {operationId: deleteTest, tags: [tests], responses: {"204": {description: deleted}, "404": {$ref: "#/components/responses/NotFound"}}}
          /testsuites:
            get: {operationId: listTestSuites, tags: [testsuites], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}, {$ref: "#/components/parameters/query"}], responses: {"200": {$ref: "#/components/responses/List"}, "400": {$ref: "#/components/responses/Error"}}}
            post: {operationId: createTestSuite, tags: [testsuites], requestBody: {$ref: "#/components/requestBodies/TestSuite"}, responses: {"201": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
            put: {operationId: upsertTestSuite, tags: [testsuites], requestBody: {$ref: "#/components/requestBodies/TestSuite"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "201": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /testsuites/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getTestSuite, tags: [testsuites], responses: {"200": {$ref: "#/components/responses/Resource"}, "404": {$ref: "#/components/responses/NotFound"}}}
            delete: {operationId: deleteTestSuite, tags: [testsuites], responses: {"204": {description: deleted}, "404": {$ref: "#/components/responses/NotFound"}}}
          /variablesets:
            get: {operationId: listVariableSets, tags: [variablesets], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}], responses: {"200": {$ref: "#/components/responses/List"}, "400": {$ref: "#/components/responses/Error"}}}
            post: {operationId: createVariableSet, tags: [variablesets], requestBody: {$ref: "#/components/requestBodies/VariableSet"}, responses: {"201": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /variablesets/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getVariableSet, tags: [variablesets], responses: {"200": {$ref: "#/components/responses/Resource"}, "404": {$ref: "#/components/responses/NotFound"}}}
            put: {operationId: updateVariableSet, tags: [variablesets], requestBody: {$ref: "#/components/requestBodies/VariableSet"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}, "404": {$ref: "#/components/responses/NotFound"}}}
            delete: {operationId: deleteVariableSet, tags: [variablesets], responses: {"204": {description: deleted}, "404": {$ref: "#/components/responses/NotFound"}}}
          /datastores/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getDataStore, tags: [singletons], responses: {"200": {$ref: "#/components/responses/Resource"}}}
            put: {operationId: updateDataStore, tags: [singletons], requestBody: {$ref: "#/components/requestBodies/DataStore"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /pollingprofiles/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getPollingProfile, tags: [singletons], responses: {"200": {$ref: "#/components/responses/Resource"}}}
            put: {operationId: updatePollingProfile, tags: [singletons], requestBody: {$ref: "#/components/requestBodies/PollingProfile"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /configs/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getConfig, tags: [singletons], responses: {"200": {$ref: "#/components/responses/Resource"}}}
            put: {operationId: updateConfig, tags: [singletons], requestBody: {$ref: "#/components/requestBodies/Generic"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /analyzers/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getAnalyzer, tags: [singletons], responses: {"200": {$ref: "#/components/responses/Resource"}}}
            put: {operationId: updateAnalyzer, tags: [singletons], requestBody: {$ref: "#/components/requestBodies/Generic"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /testrunners/{id}:
            parameters: [{$ref: "#/components/parameters/id"}]
            get: {operationId: getTestRunner, tags: [singletons], responses: {"200": {$ref: "#/components/responses/Resource"}}}
            put: {operationId: updateTestRunner, tags: [singletons], requestBody: {$ref: "#/components/requestBodies/Generic"}, responses: {"200": {$ref: "#/components/responses/Resource"}, "400": {$ref: "#/components/responses/Error"}}}
          /resources:
            get: {operationId: listResources, tags: [resources], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}, {$ref: "#/components/parameters/query"}], responses: {"200": {description: tests and suites, content: {application/json: {schema: {type: array, items: {type: object}}}}}, "400": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run:
            parameters: [{$ref: "#/components/parameters/id"}]
            post: {operationId: runTest, tags: [runs], requestBody: {$ref: "#/components/requestBodies/RunRequest"}, responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}, "422": {$ref: "#/components/responses/Object"}}}
            get: {operationId: listTestRuns, tags: [runs], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}], responses: {"200": {description: runs, content: {application/json: {schema: {type: array, items: {type: object}}}}}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            get: {operationId: getTestRun, tags: [runs], parameters: [{name: trace, in: query, description: "false leaves the trace out", schema: {type: boolean}}], responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}}}
            delete: {operationId: deleteTestRun, tags: [runs], responses: {"204": {description: deleted}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/events:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            get: {operationId: getTestRunEvents, tags: [runs], responses: {"200": {description: events, content: {application/json: {schema: {type: array, items: {type: object}}}}}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/stop:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            post: {operationId: stopTestRun, tags: [runs], responses: {"200": {description: stopped}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/rerun:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            post: {operationId: rerunTestRun, tags: [runs], responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/select:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}, {name: query, in: query, schema: {type: string}}]
            get: {operationId: selectSpans, tags: [runs], responses: {"200": {$ref: "#/components/responses/Object"}, "400": {$ref: "#/components/responses/Error"}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/trace/outline:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            get: {operationId: getTraceOutline, tags: [runs], description: "the trace in outline for the web UI: {traceId, start, spans: [[id, parentId, name, kind, service, startOffsetNs, durationNs, statusCode]]}", responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}, "422": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/trace/span/{spanId}:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}, {name: spanId, in: path, required: true, schema: {type: string}}]
            get: {operationId: getTraceSpan, tags: [runs], responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}, "422": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/dry-run:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            put: {operationId: dryRun, tags: [runs], requestBody: {$ref: "#/components/requestBodies/Generic"}, responses: {"200": {$ref: "#/components/responses/Object"}, "400": {$ref: "#/components/responses/Error"}, "404": {$ref: "#/components/responses/Error"}}}
          /tests/{id}/run/{runId}/junit.xml:
            parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/runId"}]
            get: {operationId: getJUnit, tags: [runs], responses: {"200": {description: JUnit XML, content: {application/xml: {schema: {type: string}}}}, "404": {$ref: "#/components/responses/Error"}, "422": {$ref: "#/components/responses/Error"}}}
          /testsuites/{id}/run:
            parameters: [{$ref: "#/components/parameters/id"}]
            post: {operationId: runTestSuite, tags: [runs], requestBody: {$ref: "#/components/requestBodies/RunRequest"}, responses: {"200": {$ref: "#/components/responses/Object"}, "404": {$ref: "#/components/responses/Error"}, "422": {$ref: "#/components/responses/Object"}}}
            get: {operationId: listTestSuiteRuns, tags: [runs], parameters: [{$ref: "#/components/parameters/take"}, {$ref: "#/components/parameters/skip"}], responses: {"200": {description: runs, content: {application/json: {schema: {type: array, items: {type: object}}}}}, "404": {$ref: "#/components/responses/Error"}}}
          /expressions/resolve:
            post: {operationId: resolveExpression, tags: [tools], requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/ResolveRequest"}}}}, responses: {"200": {$ref: "#/components/responses/Object"}, "400": {$ref: "#/components/responses/Error"}}}
          /config/connection:
            post: {operationId: testConnection, tags: [config], description: "checks a data store: port, connectivity, authentication, fetching traces", requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/DataStoreResource/properties/spec"}}}}, responses: {"200": {$ref: "#/components/responses/Object"}, "400": {$ref: "#/components/responses/Error"}}}
          /config/connection/otlp:
            get: {operationId: getOTLPConnectionInformation, tags: [config], responses: {"200": {$ref: "#/components/responses/Object"}}}
          /config/connection/otlp/reset:
            post: {operationId: resetOTLPConnectionInformation, tags: [config], responses: {"200": {description: the counts are reset}}}
          /wizard:
            get: {operationId: getWizard, tags: [info], responses: {"200": {$ref: "#/components/responses/Object"}}}
          /version.json:
            get: {operationId: getVersion, tags: [info], responses: {"200": {$ref: "#/components/responses/Object"}}}
        components:
          parameters:
            id: {name: id, in: path, required: true, schema: {type: string}}
            runId: {name: runId, in: path, required: true, schema: {type: integer}}
            take: {name: take, in: query, schema: {type: integer}}
            skip: {name: skip, in: query, schema: {type: integer}}
            query: {name: query, in: query, schema: {type: string}}
            sortBy: {name: sortBy, in: query, schema: {type: string, enum: [created, name, last_run]}}
            sortDirection: {name: sortDirection, in: query, schema: {type: string, enum: [asc, desc]}}
          requestBodies:
            Test: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/TestResource"}}}}
            TestSuite: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/TestSuiteResource"}}}}
            VariableSet: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/VariableSetResource"}}}}
            DataStore: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/DataStoreResource"}}}}
            PollingProfile: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/PollingProfileResource"}}}}
            Generic: {required: true, content: {application/json: {schema: {type: object}}}}
            RunRequest: {content: {application/json: {schema: {$ref: "#/components/schemas/RunRequest"}}}}
          responses:
            Resource: {description: a resource, content: {application/json: {schema: {type: object}}}}
            List: {description: a page of resources, content: {application/json: {schema: {type: object, properties: {count: {type: integer}, items: {type: array, items: {type: object}}}}}}}
            Object: {description: a JSON object, content: {application/json: {schema: {type: object}}}}
            Error: {description: an error, content: {application/json: {schema: {}}}}
            NotFound: {description: no such resource}
          schemas:
            KeyValue: {type: object, properties: {key: {type: string}, value: {type: string}}}
            HTTPRequest:
              type: object
              properties:
                method: {type: string}
                url: {type: string}
                headers: {type: array, items: {$ref: "#/components/schemas/KeyValue"}}
                body: {type: string}
                sslVerification: {type: boolean}
                auth: {type: object, properties: {type: {type: string, enum: [apiKey, basic, bearer]}, apiKey: {type: object}, basic: {type: object}, bearer: {type: object}}}
            Trigger:
              type: object
              properties:
                type: {type: string, enum: [http, grpc, traceid, kafka, graphql, playwrightengine]}
                httpRequest: {$ref: "#/components/schemas/HTTPRequest"}
                traceid: {type: object, properties: {id: {type: string}}}
            TestSpec: {type: object, properties: {selector: {type: string}, name: {type: string}, assertions: {type: array, items: {type: string}}}}
            TestOutput: {type: object, properties: {name: {type: string}, selector: {type: string}, value: {type: string}}}
            Test:
              type: object
              properties:
                id: {type: string}
                name: {type: string}
                description: {type: string}
                skipTraceCollection: {type: boolean}
                pollingProfile: {type: string}
                trigger: {$ref: "#/components/schemas/Trigger"}
                specs: {type: array, items: {$ref: "#/components/schemas/TestSpec"}}
                outputs: {type: array, items: {$ref: "#/components/schemas/TestOutput"}}
            TestResource: {type: object, properties: {type: {type: string, enum: [Test]}, spec: {$ref: "#/components/schemas/Test"}}}
            TestSuiteResource: {type: object, properties: {type: {type: string, enum: [TestSuite]}, spec: {type: object, properties: {id: {type: string}, name: {type: string}, description: {type: string}, steps: {type: array, items: {type: string}}}}}}
            VariableSetResource: {type: object, properties: {type: {type: string, enum: [VariableSet]}, spec: {type: object, properties: {id: {type: string}, name: {type: string}, description: {type: string}, values: {type: array, items: {$ref: "#/components/schemas/KeyValue"}}}}}}
            DataStoreResource: {type: object, properties: {type: {type: string, enum: [DataStore]}, spec: {type: object, properties: {name: {type: string}, type: {type: string, enum: [otlp, jaeger, tempo, opensearch, elasticapm, signalfx, awsxray, azureappinsights, sumologic]}, default: {type: boolean}, jaeger: {type: object}, tempo: {type: object}, opensearch: {type: object}}}}}
            PollingProfileResource: {type: object, properties: {type: {type: string, enum: [PollingProfile]}, spec: {type: object, properties: {name: {type: string}, default: {type: boolean}, strategy: {type: string, enum: [periodic]}, periodic: {type: object, properties: {retryDelay: {type: string}, timeout: {type: string}, selectorMatchRetries: {type: integer}}}}}}}
            RunRequest: {type: object, properties: {variableSetId: {type: string}, variables: {type: array, items: {$ref: "#/components/schemas/KeyValue"}}, requiredGates: {type: array, items: {type: string}}}}
            ResolveRequest: {type: object, properties: {expression: {type: string}, context: {type: object, properties: {testId: {type: string}, runId: {type: string}, spanId: {type: string}, selector: {type: string}, variableSetId: {type: string}}}}}
        """#
}
