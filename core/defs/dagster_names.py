"""Dagster 1.13.28's top-level public names, so `dg.<name>` can tell "Dagster has this, dagdeck
does not yet" from a typo.

Generated once from the `from ... import X as X` exports of `dagster/__init__.py` (1.13.28); plain data,
never computed at runtime. docs/compatibility.md says, per name, how far dagdeck supports it.
"""

from __future__ import annotations

DAGSTER_VERSION = "1.13.28"

DAGSTER_NAMES: frozenset[str] = frozenset(
    """
    AddDynamicPartitionsRequest AllPartitionMapping AnchorBasedFilePathMapping Any
    apply_freshness_policy Array asset asset_check asset_sensor AssetAttributesModel
    AssetCheckEvaluation AssetCheckExecutionContext AssetCheckKey AssetCheckResult
    AssetChecksDefinition AssetCheckSeverity AssetCheckSpec AssetDep AssetExecutionContext AssetIn
    AssetJobKey AssetKey AssetMaterialization AssetObservation AssetOrCheckKey AssetOut
    AssetPartitionStatus AssetRecordsFilter AssetsDefinition AssetSelection AssetSensorDefinition
    AssetSpec AssetValueLoader AutoMaterializeAssetPartitionsFilter AutoMaterializePolicy
    AutoMaterializeRule AutomationCondition AutomationConditionSensorDefinition AutomationContext
    AutomationResult BackfillPolicy Backoff BetaWarning BindResourcesToJobs Bool BoolMetadataValue
    BoolSource build_asset_check_context build_asset_context build_column_schema_change_checks
    build_component_defs build_defs_for_component build_hook_context build_init_logger_context
    build_init_resource_context build_input_context build_last_update_freshness_checks
    build_metadata_bounds_checks build_multi_asset_sensor_context build_op_context
    build_output_context build_reconstructable_job build_resources build_run_status_sensor_context
    build_schedule_context build_schedule_from_partitioned_job build_sensor_context
    build_sensor_for_freshness_checks build_time_partition_freshness_checks check_dagster_type
    CodeLocationSelector CodeReferencesMetadataValue colored_console_logger Component component_defs
    component_instance ComponentFormConfig ComponentLoadContext ComponentTree ComponentTypeSpec
    Config config_from_files config_from_pkg_resources config_from_yaml_strings config_mapping
    ConfigArgumentWarning ConfigMapping ConfigSchema ConfigurableIOManager
    ConfigurableIOManagerFactory ConfigurableLegacyIOManagerAdapter ConfigurableResource configured
    create_repository_using_definitions_args custom_path_fs_io_manager dagster_type_loader
    DagsterAssetMetadataValue DagsterConfigMappingFunctionError DagsterError DagsterEvent
    DagsterEventLogInvalidForRun DagsterEventType DagsterExecutionInterruptedError
    DagsterExecutionStepExecutionError DagsterExecutionStepNotFoundError DagsterInstance
    DagsterInvalidConfigDefinitionError DagsterInvalidConfigError DagsterInvalidDefinitionError
    DagsterInvalidInvocationError DagsterInvalidSubsetError DagsterInvariantViolationError
    DagsterJobMetadataValue DagsterLogManager DagsterResourceFunctionError DagsterRun
    DagsterRunMetadataValue DagsterRunNotFoundError DagsterRunStatus DagsterStepOutputNotFoundError
    DagsterSubprocessError DagsterType DagsterTypeCheckDidNotPass DagsterTypeCheckError
    DagsterTypeLoader DagsterTypeLoaderContext DagsterUnknownPartitionError
    DagsterUnknownResourceError DagsterUnmetExecutorRequirementsError DagsterUserCodeExecutionError
    daily_partitioned_config DailyPartitionsDefinition DataProvenance DataVersion
    DataVersionsByPartition default_loggers default_system_loggers DefaultRunLauncher
    DefaultScheduleStatus DefaultSensorStatus define_asset_job definitions Definitions
    DefinitionsComponent DefsFolderComponent DeleteDynamicPartitionsRequest DependencyDefinition
    deserialize_value Dict DimensionPartitionMapping dynamic_partitioned_config DynamicOut
    DynamicOutput DynamicPartitionsDefinition Enum EnumValue EnvVar evaluate_automation_conditions
    EvaluateAutomationConditionsResult EventLogEntry EventLogRecord EventRecordsFilter
    EventRecordsResult execute_job ExecuteInProcessResult Executor executor ExecutorDefinition
    ExecutorRequirement ExpectationResult external_instance_from_step_run_ref Failure failure_hook
    Field file_relative_path FileHandle FilePathMapping FilesystemIOManager Float FloatMetadataValue
    FreshnessPolicy fs_io_manager FunctionComponent get_all_components_defs_within_project
    get_component_defs_within_project get_dagster_logger graph graph_asset graph_multi_asset
    GraphDefinition GraphIn GraphOut HookContext HookDefinition HookExecutionResult
    hourly_partitioned_config HourlyPartitionsDefinition IAttachDifferentObjectToOpContext
    IdentityPartitionMapping In in_process_executor InitExecutorContext InitLoggerContext
    InitResourceContext Injected InMemoryIOManager input_manager InputContext InputManager
    InputManagerDefinition InputMapping instance_for_test Int IntMetadataValue IntSource io_manager
    IOManager IOManagerDefinition Jitter job JobDefinition JobExecutionResult JobSelector
    json_console_logger JsonLogFormatter JsonMetadataValue LastPartitionMapping
    LegacyFreshnessPolicy link_code_references_to_git List load_asset_checks_from_current_module
    load_asset_checks_from_modules load_asset_checks_from_package_module
    load_asset_checks_from_package_name load_assets_from_current_module load_assets_from_modules
    load_assets_from_package_module load_assets_from_package_name
    load_definitions_from_current_module load_definitions_from_module load_definitions_from_modules
    load_definitions_from_package_module load_definitions_from_package_name load_defs
    load_from_defs_folder local_file_manager LocalFileCodeReference LocalFileHandle logger
    LoggerDefinition make_email_on_run_failure_sensor make_python_type_usable_as_dagster_type
    make_values_resource Map map_asset_specs MarkdownMetadataValue materialize materialize_to_memory
    MaterializeResult MAX_RUNTIME_SECONDS_TAG mem_io_manager MetadataEntry MetadataValue
    migrate_io_storage MigrateIOStorageResult Model monthly_partitioned_config
    MonthlyPartitionsDefinition multi_asset multi_asset_check multi_asset_sensor
    multi_observable_source_asset multi_or_in_process_executor MultiAssetSensorDefinition
    MultiAssetSensorEvaluationContext MultiDependencyDefinition MultiPartitionKey
    MultiPartitionMapping MultiPartitionsDefinition multiple_process_executor_requirements
    multiprocess_executor MultiToSingleDimensionPartitionMapping NodeInvocation Noneable
    NotebookMetadataValue Nothing NullMetadataValue observable_source_asset ObserveResult op
    OpDefinition open_pipes_session OpExecutionContext Optional Out Output OutputContext
    OutputMapping PaginatedResults Partition partition_loading_context partitioned_config
    PartitionedConfig PartitionKeyRange PartitionMapping PartitionsDefinition PathMetadataValue
    PendingNodeInvocation Permissive PermissiveConfig PipesBlobStoreMessageReader PipesClient
    PipesClientCompletedInvocation PipesCompositeMessageReader PipesContextInjector
    PipesEnvContextInjector PipesExecutionResult PipesFileContextInjector PipesFileMessageReader
    PipesLaunchedData PipesLogReader PipesMessageHandler PipesMessageReader PipesSession
    PipesSubprocessClient PipesTempFileContextInjector PipesTempFileMessageReader PoolMetadataValue
    PreviewWarning PythonArtifactMetadataValue PythonObjectDagsterType PythonScriptComponent
    QueuedRunCoordinator raise_execution_interrupts reconstructable ReexecutionOptions repository
    RepositoryData RepositoryDefinition RepositorySelector ResolutionContext Resolvable
    ResolvedAssetCheckSpec ResolvedAssetKey ResolvedAssetSpec Resolver resource ResourceDefinition
    ResourceDependency ResourceParam resources RetryPolicy RetryRequested run_failure_sensor
    run_status_sensor run_step_from_ref RunConfig RunFailureSensorContext RunRecord RunRequest
    RunsFilter RunShardedEventsCursor RunStatusChangeRecordsFilter RunStatusSensorContext
    RunStatusSensorDefinition scaffold_component scaffold_with Scaffolder ScaffoldRequest
    ScalarUnion schedule ScheduleDefinition ScheduleEvaluationContext Selector sensor
    SensorDefinition SensorEvaluationContext SensorResult SensorReturnTypesUnion serialize_value Set
    Shape SkipReason SourceAsset SpecificPartitionsPartitionMapping SqlComponent
    StateBackedComponent static_partitioned_config StaticPartitionMapping StaticPartitionsDefinition
    step_context_to_step_run_ref step_run_ref_to_step_context StepExecutionContext StepLauncher
    StepRunRef String StringSource SubmitRunContext success_hook SupersessionWarning TableColumn
    TableColumnConstraints TableColumnDep TableColumnLineage TableColumnLineageMetadataValue
    TableConstraints TableMetadataValue TableRecord TableSchema TableSchemaMetadataValue
    template_var TemplatedSqlComponent TextMetadataValue TimestampMetadataValue TimeWindow
    TimeWindowPartitionMapping TimeWindowPartitionsDefinition Tuple TypeCheck TypeCheckContext
    UPathDefsStateStorage UPathIOManager UrlCodeReference UrlMetadataValue usable_as_dagster_type
    UvRunComponent validate_run_config weekly_partitioned_config WeeklyPartitionsDefinition
    with_resources with_source_code_references
    """.split()  # noqa: SIM905 - a word list reads and diffs better than 431 quoted strings
)
